import Foundation
import Hummingbird
import HummingbirdTesting
import VidflowCore
import XCTest

/// `enhance_prompt` with `provider: google`: the Gemini API refuses it, so it is dropped with a warning and never
/// reaches the generate stage (Vertex AI takes it: `VertexVideoTaskTests`).
final class GoogleEnhancePromptTests: XCTestCase {
    func testEnhancePromptIsDroppedWithAWarningForTheGeminiAPI() async throws {
        let server = try VideoEndpointTests.server()
        defer { server.remove() }
        let alice = try await server.token("alice")
        try await server.test { client in
            let created = try await client.json(.post, "/v1/video/generate", token: alice, body: [
                "prompt": "a paper boat", "provider": "google", "duration": 8, "enhance_prompt": true])
            XCTAssertEqual(created.status, .accepted, "\(created.body)")
            let id = try XCTUnwrap(created.body["task_id"]?.stringValue)
            let task = try await client.json(.get, "/v1/video/tasks/\(id)", token: alice)
            let warnings = task.body["warnings"]?.arrayValue?.compactMap(\.stringValue) ?? []
            XCTAssertEqual(warnings.count, 1, "\(task.body)")
            XCTAssertTrue(warnings.first?.hasPrefix("enhance_prompt is not supported") == true, "\(warnings)")
            let status = try await client.json(.get, "/v1/workflows/status/\(id)", token: alice)
            let input = try XCTUnwrap(status.body["stages"]?["generate"]?["input"])
            XCTAssertNil(input["extra_body"]?["enhance_prompt"], "not sent: \(input)")
        }
    }
}
