import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import VidflowCore
import XCTest

/// `/v1/video/generate` checks a request against the chosen model before it makes a task: limits are a
/// 400 naming the allowed values, model aliases resolve, hints the model lacks are dropped with warnings,
/// and `/v1/config`'s default size and ratio apply only where the model takes them.
final class VideoRequestCheckTests: XCTestCase {
    func testALimitTheModelRefusesIsA400NamingTheAllowedValuesAndMakesNoTask() async throws {
        let server = try VideoEndpointTests.server()
        defer { server.remove() }
        let alice = try await server.token("alice")
        try await server.test { client in
            let cases: [(body: JSONValue, field: String, mentions: String)] = [
                (["prompt": "x", "provider": "google", "duration": 10], "duration", "4, 6, 8"),
                (["prompt": "x", "provider": "google", "seconds": 5], "seconds", "4, 6, 8"),
                (["prompt": "x", "provider": "google", "aspect_ratio": "1:1"], "aspect_ratio", "16:9, 9:16"),
                (["prompt": "x", "model": "veo-2.0-generate-001", "resolution": "1080p"], "resolution", "720p"),
                (["prompt": .string(String(repeating: "a", count: 2501)), "provider": "kling"], "prompt", "2500"),
                (["prompt": "x", "model": "veo-3.0-generate-001", "image_url": "https://example.com/a.jpg",
                  "last_frame_url": "https://example.com/b.jpg"], "last_frame_url", "veo-3.0-generate-001"),
                (["prompt": "x", "model": "veo-3.0-generate-preview"], "model", "veo-3.0-generate-001"),
            ]
            for (body, field, mentions) in cases {
                let answer = try await client.json(.post, "/v1/video/generate", token: alice, body: body)
                XCTAssertEqual(answer.status, .badRequest, "\(body) → \(answer.body)")
                XCTAssertEqual(answer.body["error"]?["field"]?.stringValue, field, "\(body)")
                let message = answer.body["error"]?["message"]?.stringValue ?? ""
                XCTAssertTrue(message.contains(mentions), "\(body): \(message)")
                XCTAssertFalse(message.contains("on_unsupported"), "no workflow-only advice: \(message)")
            }
            let history = try await client.json(.get, "/v1/video/history", token: alice)
            XCTAssertEqual(history.body["items"], [], "no task was made for a refused request")
            let fine = try await client.json(.post, "/v1/video/generate", token: alice,
                                             body: ["prompt": "x", "provider": "google", "duration": 8])
            XCTAssertEqual(fine.status, .accepted, "\(fine.body)")
        }
    }

    func testClientVeoModelIdsRunAsTheCurrentIds() async throws {
        let server = try VideoEndpointTests.server()
        defer { server.remove() }
        let alice = try await server.token("alice")
        try await server.test { client in
            for (alias, current) in [("veo-3-fast-preview", "veo-3.0-fast-generate-001"),
                                     ("veo-3-generate-preview", "veo-3.0-generate-001"), ("veo-2", "veo-2.0-generate-001")] {
                let created = try await client.json(.post, "/v1/video/generate", token: alice,
                                                    body: ["prompt": "a fox", "model": .string(alias), "seconds": 8])
                XCTAssertEqual(created.status, .accepted, "\(alias): \(created.body)")
                let id = try XCTUnwrap(created.body["task_id"]?.stringValue)
                let task = try await client.json(.get, "/v1/video/tasks/\(id)", token: alice)
                XCTAssertEqual(task.body["model"]?.stringValue, current)
                XCTAssertEqual(task.body["provider"], "google")
                let status = try await client.json(.get, "/v1/workflows/status/\(id)", token: alice)
                XCTAssertEqual(status.body["stages"]?["generate"]?["input"]?["model"]?.stringValue, current)
            }
        }
    }

    func testHintsTheLocalModelLacksAreDroppedWithWarningsAndTheTaskCompletes() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let alice = try await server.token("alice")
        try await server.test { client in
            let created = try await client.json(.post, "/v1/video/generate", token: alice, body: [
                "prompt": "a paper boat", "model": "local", "seconds": 1, "size": "320x180",
                "enhance_prompt": true, "generate_audio": true, "style": "anime"])
            XCTAssertEqual(created.status, .accepted, "\(created.body)")
            let id = try XCTUnwrap(created.body["task_id"]?.stringValue)
            let task = try await VideoEndpointTests.poll(client, "/v1/video/tasks/\(id)", token: alice) {
                ["completed", "failed"].contains($0["status"]?.stringValue ?? "")
            }
            XCTAssertEqual(task["status"], "completed", "\(task)")
            let warnings = task["warnings"]?.arrayValue?.compactMap(\.stringValue) ?? []
            XCTAssertEqual(warnings.count, 3, "\(warnings)")
            for field in ["enhance_prompt", "generate_audio", "style"] {
                XCTAssertTrue(warnings.contains { $0.hasPrefix(field) }, "\(field) in \(warnings)")
            }
        }
    }

    func testFpsOnAModelWithoutItIsDroppedBeforeTheGenerateStage() async throws {
        let server = try VideoEndpointTests.server()
        defer { server.remove() }
        let alice = try await server.token("alice")
        try await server.test { client in
            let created = try await client.json(.post, "/v1/video/generate", token: alice,
                                                body: ["prompt": "x", "provider": "google", "duration": 8, "fps": 24])
            XCTAssertEqual(created.status, .accepted, "\(created.body)")
            let id = try XCTUnwrap(created.body["task_id"]?.stringValue)
            let task = try await client.json(.get, "/v1/video/tasks/\(id)", token: alice)
            XCTAssertEqual(task.body["warnings"]?.arrayValue?.count, 1)
            XCTAssertTrue(task.body["warnings"]?.arrayValue?.first?.stringValue?.hasPrefix("fps") == true, "\(task.body)")
            let status = try await client.json(.get, "/v1/workflows/status/\(id)", token: alice)
            XCTAssertEqual(status.body["stages"]?["generate"]?["input"]?["fps"], nil)
            let kept = try await client.json(.post, "/v1/video/generate", token: alice,
                                             body: ["prompt": "x", "model": "local", "fps": 12])
            let keptID = try XCTUnwrap(kept.body["task_id"]?.stringValue)
            let keptStatus = try await client.json(.get, "/v1/workflows/status/\(keptID)", token: alice)
            XCTAssertEqual(keptStatus.body["stages"]?["generate"]?["input"]?["fps"], 12, "a model with fps gets it")
        }
    }
}
