import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import VidflowCore
import XCTest

/// The task JSON carries what video-task clients read: `pending` before start, `retry_count`,
/// `max_retries`, `updated_at`, `video_urls` (every output of a multi-output job) and `warnings`.
final class VideoTaskFieldsTests: XCTestCase {
    /// `video.poll` as the fake chain has it, but answering for a job that made two videos.
    struct TwoVideoPoll: Stage {
        var typeName: String { "video.poll" }
        var version: Int { 1 }
        var schema: StageSchema {
            StageSchema(parameters: [], outputs: [OutputSpec("url", .string), OutputSpec("urls", .array)],
                        allowsAdditionalParameters: true, outputsEchoParameters: true)
        }

        func run(_ context: any StageContext) async throws -> StageResult {
            var outputs = context.parameters
            outputs["url"] = "file:///fake.mp4"
            outputs["urls"] = ["file:///fake.mp4", "https://provider.example/second.mp4"]
            return StageResult(outputs: outputs)
        }
    }

    func testTheTaskCarriesRetriesTimesAllOutputsAndWarnings() async throws {
        var server = try TestServer()
        defer { server.remove() }
        server.arguments.extraStages = FakeVideoStage.all().filter { $0.typeName != "video.poll" } + [TwoVideoPoll()]
        let alice = try await server.token("alice")
        try await server.test { client in
            let created = try await client.json(.post, "/v1/video/generate", token: alice, body: [
                "prompt": "two takes", "model": "veo-2", "duration": 8, "num_outputs": 2, "generate_audio": true])
            XCTAssertEqual(created.status, .accepted, "\(created.body)")
            XCTAssertEqual(created.body["status"], "pending", "a task not yet started is pending, not queued")
            let id = try XCTUnwrap(created.body["task_id"]?.stringValue)
            let early = try await client.json(.get, "/v1/video/tasks/\(id)", token: alice)
            XCTAssertTrue(["pending", "processing", "completed"].contains(early.body["status"]?.stringValue ?? ""), "\(early.body)")
            let task = try await VideoEndpointTests.poll(client, "/v1/video/tasks/\(id)", token: alice) { $0["status"] == "completed" }
            XCTAssertEqual(task["video_urls"], [.string("/v1/video/tasks/\(id)/content?variant=video"),
                                                "https://provider.example/second.mp4"])
            XCTAssertEqual(task["video_url"], .string("/v1/video/tasks/\(id)/content?variant=video"))
            XCTAssertEqual(task["retry_count"], 0)
            XCTAssertEqual(task["max_retries"], 2)
            let created_at = try XCTUnwrap(task["created_at"]?.stringValue)
            let updated = try XCTUnwrap(task["updated_at"]?.stringValue)
            XCTAssertGreaterThanOrEqual(updated, created_at)
            XCTAssertEqual(task["retry_of"], .null)
            let warnings = task["warnings"]?.arrayValue?.compactMap(\.stringValue) ?? []
            XCTAssertEqual(warnings.count, 2, "the alias and the dropped generate_audio: \(warnings)")
            XCTAssertTrue(warnings.contains { $0.hasPrefix("generate_audio") }, "\(warnings)")
            let status = try await client.json(.get, "/v1/workflows/status/\(id)", token: alice)
            XCTAssertEqual(status.body["stages"]?["generate"]?["input"]?["num_outputs"], 2)
            let history = try await client.json(.get, "/v1/video/history", token: alice)
            XCTAssertEqual(history.body["items"]?.arrayValue?.first?["video_urls"], task["video_urls"])
            let tooMany = try await client.json(.post, "/v1/video/generate", token: alice, body: [
                "prompt": "x", "model": "veo-2", "duration": 8, "num_outputs": 3])
            XCTAssertEqual(tooMany.status, .badRequest, "Veo 2 makes at most two videos per job (it is not fanned out)")
            XCTAssertEqual(tooMany.body["error"]?["field"], "num_outputs")
        }
    }
}
