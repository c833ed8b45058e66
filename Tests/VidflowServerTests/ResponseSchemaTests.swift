import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import VidflowCore
@testable import VidflowServer
import XCTest

/// Every answer of the API matches its schema in `share/openapi.yaml`: one client walks every operation
/// (runs that complete, fail and are cancelled, tasks, files, config, videos, providers, callbacks, and
/// the usual errors), records each answer, and `scripts/check-response-schemas.py` checks them all in one
/// call — documented status, documented media type, a body valid against the schema with no field the
/// document does not name — and that every documented JSON success answer was seen.
final class ResponseSchemaTests: XCTestCase {
    func testEveryAnswerOfTheAPIMatchesItsSchemaInTheDocument() async throws {
        let python = try OpenAPIFuzzTests.tool("python")
        // Private URLs allowed: the webhook receiver is on loopback.
        var server = try TestServer(allowPrivateURLs: true)
        defer { server.remove() }
        server.arguments.extraStages = FakeVideoStage.all(sleepMs: 800)
        server.arguments.publicURL = "https://vidflow.example.com"
        let admin = try await server.token("ann", admin: true)
        let user = try await server.token("bob")
        let recorder = ResponseRecorder()
        let callbackToken = ProviderCallbackToken.derive(fromWebhookSecret: try XCTUnwrap(server.arguments.webhookSecret))
        // A webhook receiver that refuses the first delivery: both attempts are listed.
        let received = ReceivedWebhooks(failFirst: 1)
        let receiver = Router()
        receiver.post("/hook") { _, _ -> Response in
            let count = received.items.withLock { items in
                items.append(([:], Data()))
                return items.count
            }
            return Response(status: count <= received.failFirst ? .internalServerError : .noContent)
        }
        let receiverApp = Application(router: receiver, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        let world = server
        try await receiverApp.test(.live) { hook in
            let hookURL = "http://127.0.0.1:\(try XCTUnwrap(hook.port))/hook"
            try await world.test { base in
                let client = RecordingClient(base: base, recorder: recorder)
                try await Self.service(client, admin: admin, user: user)
                try await Self.workflows(client, token: admin, hookURL: hookURL)
                try await Self.tasksFilesAndConfig(client, admin: admin, user: user)
                try await Self.videos(client, token: admin)
                try await Self.providers(client, token: admin, callbackToken: callbackToken)
            }
        }

        let recording = NSTemporaryDirectory() + "vidflow-answers-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: recording) }
        try recorder.write(to: recording)
        let document = try XCTUnwrap(OpenAPIController.documentPath())
        let script = OpenAPIFuzzTests.packageRoot + "/scripts/check-response-schemas.py"
        let result = try await OpenAPIFuzzTests.run(python, [script, document, recording, "--require-success-bodies"],
                                                    timeout: .seconds(120))
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains(" 0 failures"), result.output)
        XCTAssertGreaterThan(recorder.recorded.count, 60, "the walk made its requests")
    }

    /// The script finds an undocumented field, a value off its type and an undocumented status.
    func testTheCheckRefusesAnswersOffTheDocument() async throws {
        let python = try OpenAPIFuzzTests.tool("python")
        let lines: [JSONValue] = [
            ["method": "GET", "path": "/", "status": 200, "content_type": "application/json",
             "body": #"{"message":"up","version":"1","extra":true}"#],
            ["method": "GET", "path": "/api/v1/monitoring/heartbeat/task/x", "status": 200, "content_type": "application/json",
             "body": #"{"task_id":"x","status":"running","last_update":"yesterday","stage":null,"progress":null}"#],
            ["method": "GET", "path": "/v1/workflows/status/x", "status": 418, "content_type": "application/json", "body": "{}"],
        ]
        let recording = NSTemporaryDirectory() + "vidflow-answers-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: recording) }
        try lines.map(\.canonicalJSON).joined(separator: "\n").write(toFile: recording, atomically: true, encoding: .utf8)
        let document = try XCTUnwrap(OpenAPIController.documentPath())
        let script = OpenAPIFuzzTests.packageRoot + "/scripts/check-response-schemas.py"
        let result = try await OpenAPIFuzzTests.run(python, [script, document, recording], timeout: .seconds(60))
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.output.contains("'extra' was unexpected"), result.output)
        XCTAssertTrue(result.output.contains("is not a 'date-time'"), result.output)
        XCTAssertTrue(result.output.contains("status 418 is not documented"), result.output)
    }

    // MARK: - The walk

    static func service(_ client: some TestClientProtocol, admin: String, user: String) async throws {
        _ = try await client.json(.get, "/", token: nil)
        _ = try await client.json(.get, "/api/v1/monitoring/health", token: nil)
        _ = try await client.json(.get, "/api/v1/monitoring/timeout/config", token: user)
        _ = try await client.json(.get, "/api/v1/monitoring/timeout/config", token: nil)
        _ = try await client.executeRequest(uri: "/openapi.yaml", method: .get, headers: [:], body: nil)
    }

    static func workflows(_ client: some TestClientProtocol, token: String, hookURL: String) async throws {
        let created = try await client.json(.post, "/v1/workflows", token: token,
                                            body: ["definition": Docs.pair(), "inputs": ["msg": "hello"]])
        XCTAssertEqual(created.status, .accepted)
        let id = try XCTUnwrap(created.body["workflow_id"]?.stringValue)
        _ = try await client.waitForTerminal(id, token: token)
        // A retry of a failed run reuses its first stage; its status shows `reused_from`.
        let failed = try await client.json(.post, "/v1/workflows", token: token,
                                           body: ["definition": Docs.pair(), "inputs": ["fail": 1],
                                                  "callback_url": .string(hookURL)])
        let failedID = try XCTUnwrap(failed.body["workflow_id"]?.stringValue)
        _ = try await client.waitForTerminal(failedID, token: token)
        let retry = try await client.json(.post, "/v1/workflows", token: token,
                                          body: ["execution_mode": "retry", "workflow_id": .string(failedID), "inputs": ["fail": 0]])
        _ = try await client.waitForTerminal(try XCTUnwrap(retry.body["workflow_id"]?.stringValue), token: token)
        let plan = try await client.json(.post, "/v1/workflows", token: token,
                                         body: ["execution_mode": "retry", "workflow_id": .string(failedID), "dry_run": true])
        XCTAssertEqual(plan.status, .ok)
        _ = try await client.json(.post, "/v1/workflows", token: token, body: ["definition": Docs.pair(), "nope": 1])
        _ = try await client.json(.get, "/v1/workflows?limit=1", token: token)
        _ = try await client.json(.get, "/v1/workflows?limit=100&status=failed", token: token)
        _ = try await client.json(.get, "/v1/workflows?limit=0", token: token)
        _ = try await client.json(.get, "/v1/workflows", token: nil)
        _ = try await client.json(.get, "/v1/workflows/status/\(failedID)", token: token)
        _ = try await client.json(.get, "/v1/workflows/status/run_unknown", token: token)
        _ = try await client.json(.get, "/api/v1/monitoring/heartbeat/task/\(id)", token: token)
        // The failed run's webhook: refused once, then delivered; both attempts are listed.
        for _ in 0..<200 {
            let deliveries = try await client.json(.get, "/v1/workflows/\(failedID)/deliveries", token: token)
            if deliveries.body["items"]?.arrayValue?.count == 2 { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        let slow = try await client.json(.post, "/v1/workflows", token: token,
                                         body: ["definition": Docs.pair(sleepMs: 5000), "inputs": [:]])
        let slowID = try XCTUnwrap(slow.body["workflow_id"]?.stringValue)
        _ = try await client.json(.get, "/api/v1/monitoring/heartbeat/task/\(slowID)", token: token)
        let cancelled = try await client.json(.post, "/v1/workflows/\(slowID)/cancel", token: token)
        XCTAssertEqual(cancelled.status, .accepted)
        _ = try await client.waitForTerminal(slowID, token: token)
        _ = try await client.json(.post, "/v1/workflows/\(slowID)/cancel", token: token)
        _ = try await client.executeRequest(uri: "/v1/workflows/\(id)/events", method: .get,
                                            headers: [.authorization: "Bearer \(token)"], body: nil)
        _ = try await client.executeRequest(uri: "/v1/events?ids=\(id),\(failedID)", method: .get,
                                            headers: [.authorization: "Bearer \(token)"], body: nil)
    }

    static func tasksFilesAndConfig(_ client: some TestClientProtocol, admin: String, user: String) async throws {
        let task = try await client.json(.post, "/v1/tasks", token: user, body: ["task_name": "noop", "task_id": "schema-1"])
        XCTAssertEqual(task.status, .accepted)
        _ = try await client.json(.get, "/v1/tasks/schema-1/status", token: user)
        let again = try await client.json(.post, "/v1/tasks", token: user, body: ["task_name": "noop", "task_id": "schema-1"])
        XCTAssertEqual(again.status, .accepted, "the same task_id answers the task's status")
        _ = try await client.json(.post, "/v1/tasks", token: user, body: ["task_name": "nope"])
        _ = try await client.json(.get, "/v1/tasks/unknown/status", token: user)

        var form = MultipartBuilder()
        form.field("file_path", "clips/a.txt")
        form.file("file", filename: "a.txt", type: "text/plain", data: Data("hello".utf8))
        let (headers, body) = form.finished()
        var upload = headers
        upload[.authorization] = "Bearer \(user)"
        let stored = try await client.executeRequest(uri: "/v1/files/upload", method: .post, headers: upload, body: body)
        XCTAssertEqual(stored.status, .created)
        _ = try await client.executeRequest(uri: "/v1/files/upload", method: .post,
                                            headers: [.authorization: "Bearer \(user)", .contentType: "text/plain"],
                                            body: ByteBuffer(string: "x"))
        _ = try await client.executeRequest(uri: "/v1/files/download/default/clips/a.txt", method: .get,
                                            headers: [.authorization: "Bearer \(user)"], body: nil)
        _ = try await client.json(.get, "/v1/files/download/default/clips/none.txt", token: user)
        _ = try await client.json(.delete, "/v1/files/directories?directory_path=default/clips", token: user)
        _ = try await client.json(.delete, "/v1/files/directories?directory_path=default/clips", token: user)

        _ = try await client.json(.get, "/v1/config", token: user)
        _ = try await client.json(.put, "/v1/config", token: admin,
                                  body: ["poll_interval_seconds": 2.5, "provider_api_keys": ["openai": "sk-test-0123456789"]])
        _ = try await client.json(.put, "/v1/config", token: user, body: ["max_concurrency": 2])
        _ = try await client.json(.put, "/v1/config", token: admin, body: ["max_concurrency": 9])
    }

    static func videos(_ client: some TestClientProtocol, token: String) async throws {
        let created = try await client.json(.post, "/v1/video/generate", token: token,
                                            body: ["prompt": "a red fox", "model": "local", "seconds": 4])
        XCTAssertEqual(created.status, .accepted)
        let id = try XCTUnwrap(created.body["task_id"]?.stringValue)
        let slow = try await client.json(.post, "/v1/video/generate", token: token, body: ["prompt": "a slow fox", "model": "local"])
        let slowID = try XCTUnwrap(slow.body["task_id"]?.stringValue)
        _ = try await client.json(.get, "/v1/video/tasks/\(slowID)", token: token)
        let cancelled = try await client.json(.delete, "/v1/video/tasks/\(slowID)", token: token)
        XCTAssertEqual(cancelled.status, .ok)
        _ = try await VideoEndpointTests.poll(client, "/v1/video/tasks/\(slowID)", token: token) { $0["status"] == "cancelled" }
        _ = try await VideoEndpointTests.poll(client, "/v1/video/tasks/\(id)", token: token) { $0["status"] == "completed" }
        let retried = try await client.json(.post, "/v1/video/tasks/\(slowID)/retry", token: token)
        XCTAssertEqual(retried.status, .accepted)
        _ = try await client.json(.post, "/v1/video/tasks/\(id)/retry", token: token)
        _ = try await client.json(.delete, "/v1/video/tasks/\(id)", token: token)
        _ = try await client.json(.post, "/v1/video/generate", token: token, body: ["prompt": "x", "seconds": "long"])
        _ = try await client.json(.get, "/v1/video/history?limit=1", token: token)
        _ = try await client.json(.get, "/v1/video/tasks/run_unknown", token: token)
        _ = try await client.executeRequest(uri: "/v1/video/tasks/\(id)/content?variant=thumbnail", method: .get,
                                            headers: [.authorization: "Bearer \(token)"], body: nil)

        let video = try await client.json(.post, "/v1/videos", token: token, body: ["prompt": "a blue fox", "model": "local"])
        XCTAssertEqual(video.status, .ok)
        let videoID = try XCTUnwrap(video.body["id"]?.stringValue)
        _ = try await VideoEndpointTests.poll(client, "/v1/videos/\(videoID)", token: token) { $0["status"] == "completed" }
        _ = try await client.json(.post, "/v1/videos/\(videoID)/remix", token: token, body: ["prompt": "a green fox"])
        _ = try await client.json(.get, "/v1/videos?limit=2&order=asc", token: token)
        _ = try await client.json(.get, "/v1/videos?order=sideways", token: token)
        _ = try await client.executeRequest(uri: "/v1/videos/\(videoID)/content", method: .get,
                                            headers: [.authorization: "Bearer \(token)"], body: nil)
        _ = try await client.json(.delete, "/v1/videos/\(videoID)", token: token)
        _ = try await client.json(.get, "/v1/videos/\(videoID)", token: token)
    }

    static func providers(_ client: some TestClientProtocol, token: String, callbackToken: String) async throws {
        _ = try await client.json(.get, "/v1/providers", token: token)
        _ = try await client.json(.post, "/v1/providers/local/test-connection", token: token)
        _ = try await client.json(.post, "/v1/providers/nowhere/test-connection", token: token)
        let update: JSONValue = ["task_id": "8123456789", "task_status": "succeed", "task_status_msg": "",
                                 "created_at": 1_700_000_000_000, "updated_at": 1_700_000_060_000,
                                 "task_result": ["videos": [["id": "v1", "url": "https://cdn.example.com/v.mp4", "duration": "5"]]]]
        let received = try await client.json(.post, "/v1/callbacks/kling?token=\(callbackToken)&kind=text2video",
                                             token: nil, body: update)
        XCTAssertEqual(received.status, .ok)
        _ = try await client.json(.post, "/v1/callbacks/kling?token=guess", token: nil, body: update)
        _ = try await client.raw(.post, "/v1/callbacks/kling?token=\(callbackToken)", token: nil, text: "{not json")
    }
}
