import Foundation
import Hummingbird
import HummingbirdTesting
import VidflowCore
import XCTest

/// The video-task API with `provider: vertex`: `generate_audio`, `enhance_prompt`, `seed` and several
/// samples are real Vertex parameters, so they reach the generate stage instead of being dropped.
final class VertexVideoTaskTests: XCTestCase {
    func testGenerateAudioEnhancePromptAndSeedPassThroughForVertex() async throws {
        let server = try VideoEndpointTests.server()
        defer { server.remove() }
        let alice = try await server.token("alice")
        try await server.test { client in
            let created = try await client.json(.post, "/v1/video/generate", token: alice, body: [
                "prompt": "a paper boat", "provider": "vertex", "duration": 8, "generate_audio": false,
                "enhance_prompt": true, "seed": 7, "num_outputs": 2])
            XCTAssertEqual(created.status, .accepted, "\(created.body)")
            let id = try XCTUnwrap(created.body["task_id"]?.stringValue)
            let task = try await client.json(.get, "/v1/video/tasks/\(id)", token: alice)
            XCTAssertEqual(task.body["provider"], "vertex")
            XCTAssertEqual(task.body["warnings"]?.arrayValue ?? [], [], "nothing dropped: \(task.body)")
            let status = try await client.json(.get, "/v1/workflows/status/\(id)", token: alice)
            let input = try XCTUnwrap(status.body["stages"]?["generate"]?["input"])
            XCTAssertEqual(input["provider"], "vertex")
            XCTAssertEqual(input["generate_audio"], false)
            XCTAssertEqual(input["extra_body"]?["enhance_prompt"], true)
            XCTAssertEqual(input["seed"], 7)
            XCTAssertEqual(input["num_outputs"], 2)
        }
    }
}
