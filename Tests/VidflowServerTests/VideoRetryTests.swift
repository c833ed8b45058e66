import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import VidflowCore
import XCTest

/// `POST /v1/video/tasks/{id}/retry`: a failed or cancelled task's video is generated again as a new video
/// task (a fresh provider job, not the cancelled one), linked to the original.
final class VideoRetryTests: XCTestCase {
    func testRetryingACancelledTaskSubmitsTheGenerationAgainAsANewLinkedTask() async throws {
        let server = try VideoEndpointTests.server(sleepMs: 1600)
        defer { server.remove() }
        let alice = try await server.token("alice")
        let bob = try await server.token("bob")
        try await server.test { client in
            let created = try await client.json(.post, "/v1/video/generate", token: alice,
                                                body: ["prompt": "a slow fox", "model": "local", "seconds": 2])
            let id = try XCTUnwrap(created.body["task_id"]?.stringValue)
            _ = try await VideoEndpointTests.poll(client, "/v1/video/tasks/\(id)", token: alice) { $0["status"] == "processing" }
            let early = try await client.json(.post, "/v1/video/tasks/\(id)/retry", token: alice)
            XCTAssertEqual(early.status, .conflict, "a running task is not retried")
            _ = try await client.json(.delete, "/v1/video/tasks/\(id)", token: alice)
            _ = try await VideoEndpointTests.poll(client, "/v1/video/tasks/\(id)", token: alice) { $0["status"] == "cancelled" }

            let foreign = try await client.json(.post, "/v1/video/tasks/\(id)/retry", token: bob)
            XCTAssertEqual(foreign.status, .notFound)
            let retried = try await client.json(.post, "/v1/video/tasks/\(id)/retry", token: alice)
            XCTAssertEqual(retried.status, .accepted, "\(retried.body)")
            XCTAssertEqual(retried.body["retry_of"]?.stringValue, id)
            let newID = try XCTUnwrap(retried.body["task_id"]?.stringValue)
            XCTAssertNotEqual(newID, id)
            let task = try await VideoEndpointTests.poll(client, "/v1/video/tasks/\(newID)", token: alice) {
                ["completed", "failed"].contains($0["status"]?.stringValue ?? "")
            }
            XCTAssertEqual(task["status"], "completed", "\(task)")
            XCTAssertEqual(task["retry_of"]?.stringValue, id)
            XCTAssertEqual(task["retry_count"], 1)
            XCTAssertEqual(task["prompt"], "a slow fox")
            let status = try await client.json(.get, "/v1/workflows/status/\(newID)", token: alice)
            XCTAssertEqual(status.body["stages"]?["generate"]?["output"]?["job_id"]?.stringValue, "job-\(newID)",
                           "a fresh generation, not the cancelled job")
            XCTAssertEqual(status.body["stages"]?["generate"]?["input"]?["seconds"], 2)
            let history = try await client.json(.get, "/v1/video/history", token: alice)
            let items = history.body["items"]?.arrayValue ?? []
            XCTAssertEqual(items.compactMap { $0["task_id"]?.stringValue }, [newID, id])
            XCTAssertEqual(items.first?["retry_of"]?.stringValue, id)
            let again = try await client.json(.post, "/v1/video/tasks/\(newID)/retry", token: alice)
            XCTAssertEqual(again.status, .conflict, "a completed task is not retried")
        }
    }
}
