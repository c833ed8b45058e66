import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import VidflowCore
import VidflowEngine
import VidflowServer
import VidflowStore
import XCTest

/// `GET /v1/providers` and `POST /v1/callbacks/{provider}`.
final class ProviderEndpointTests: XCTestCase {
    func testProvidersAreListedWithModelsAndNoKeys() async throws {
        var server = try TestServer()
        defer { server.remove() }
        server.arguments.publicURL = "https://vidflow.example.com"
        let token = try await server.token("ann")
        try await server.test { client in
            let (status, body) = try await client.json(.get, "/v1/providers", token: token)
            XCTAssertEqual(status, .ok)
            let providers = body["providers"]?.arrayValue ?? []
            let names = Set(providers.compactMap { $0["name"]?.stringValue })
            XCTAssertTrue(names.isSuperset(of: ["local", "openai", "google", "runway", "kling", "seedance", "fal",
                                                "replicate", "dashscope", "yunwu"]), "\(names)")
            let kling = providers.first { $0["name"] == "kling" }
            XCTAssertEqual(kling?["callbacks"], true)
            XCTAssertEqual(kling?["callback_url_set"], true)
            XCTAssertFalse(body.canonicalJSON.contains("token="), "callback tokens are not shown")
            let openai = providers.first { $0["name"] == "openai" }
            XCTAssertEqual(openai?["models"]?.arrayValue?.first?["seconds"], [4, 8, 12])
            let unauthorized = try await client.json(.get, "/v1/providers", token: nil)
            XCTAssertEqual(unauthorized.status, .unauthorized)
        }
    }

    func testAKlingCallbackWithTheServersTokenIsAcceptedAndOthersAreRefused() async throws {
        var server = try TestServer()
        defer { server.remove() }
        server.arguments.publicURL = "https://vidflow.example.com"
        let callbackToken = ProviderCallbackToken.derive(fromWebhookSecret: try XCTUnwrap(server.arguments.webhookSecret))
        let body: JSONValue = ["task_id": "8123456789", "task_status": "succeed", "task_status_msg": "",
                               "created_at": 1_700_000_000_000, "updated_at": 1_700_000_060_000,
                               "task_result": ["videos": [["id": "v1", "url": "https://cdn.example.com/v.mp4", "duration": "5"]]]]
        try await server.test { client in
            let good = try await client.json(.post, "/v1/callbacks/kling?token=\(callbackToken)&kind=text2video", token: nil, body: body)
            XCTAssertEqual(good.status, .ok, "\(good.body)")
            XCTAssertEqual(good.body["status"], "succeeded")
            XCTAssertEqual(good.body["job_id"]?.stringValue?.hasSuffix("8123456789"), true)

            let forged = try await client.json(.post, "/v1/callbacks/kling?token=guess&kind=text2video", token: nil, body: body)
            XCTAssertEqual(forged.status, .unauthorized)
            let missing = try await client.json(.post, "/v1/callbacks/kling", token: nil, body: body)
            XCTAssertEqual(missing.status, .unauthorized)
            let local = try await client.json(.post, "/v1/callbacks/local", token: nil, body: body)
            XCTAssertEqual(local.status, .notFound)
            let unknown = try await client.json(.post, "/v1/callbacks/nowhere", token: nil, body: body)
            XCTAssertEqual(unknown.status, .notFound)
            let garbage = try await client.raw(.post, "/v1/callbacks/kling?token=\(callbackToken)", token: nil, text: "{not json")
            XCTAssertEqual(garbage.status, .badRequest)
        }
    }
}

/// Runs started with the CLI on the server's data directory belong to nobody: administrators see them.
final class UnownedRunTests: XCTestCase {
    func testAnAdministratorSeesRunsStartedByTheCLIAndOthersDoNot() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let admin = try await server.token("root", admin: true)
        let user = try await server.token("bob")
        let store = try SQLiteWorkflowStore(path: server.arguments.dataDirectory + "/vidflow.sqlite")
        let registry = StageRegistry([NoopStage()])
        let definition = try DefinitionValidator(registry: registry).load("""
            name: cli-run
            stages: [{ id: only, uses: noop, with: { value: 1 } }]
            """)
        let engine = Engine(store: store, registry: registry, artifacts: try FileArtifactStore(root: server.arguments.dataDirectory),
                            configuration: EngineConfiguration(dataDirectory: server.arguments.dataDirectory))
        let runID = try await engine.submit(RunRequest(definition: definition))
        _ = try await engine.wait(runID)
        try await server.test { client in
            let seen = try await client.json(.get, "/v1/workflows/status/\(runID)", token: admin)
            XCTAssertEqual(seen.status, .ok, "\(seen.body)")
            XCTAssertEqual(seen.body["status"], "completed")
            let hidden = try await client.json(.get, "/v1/workflows/status/\(runID)", token: user)
            XCTAssertEqual(hidden.status, .notFound)
            let adminList = try await client.json(.get, "/v1/workflows", token: admin)
            XCTAssertTrue(adminList.body.canonicalJSON.contains(runID))
            let userList = try await client.json(.get, "/v1/workflows", token: user)
            XCTAssertFalse(userList.body.canonicalJSON.contains(runID))
        }
    }
}

/// `model` on `/v1/video/generate` and `/v1/videos` picks the provider.
final class ModelRoutingTests: XCTestCase {
    func testAModelIdChoosesItsProviderAndAKeylessProviderFailsWithoutANetworkCall() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("ann")
        let cases: [(model: String, provider: String, sent: String)] = [
            ("gen4.5", "runway", "gen4.5"), ("fal-ai/pika/v2.2/text-to-video", "fal", "fal-ai/pika/v2.2/text-to-video"),
            ("kling/kling-v2-6", "kling", "kling-v2-6"), ("veo-3.1-generate-preview", "google", "veo-3.1-generate-preview"),
            ("wan2.6-t2v", "dashscope", "wan2.6-t2v"),
        ]
        try await server.test { client in
            for entry in cases {
                let created = try await client.json(.post, "/v1/video/generate", token: token,
                                                    body: ["prompt": "a fox", "model": .string(entry.model)])
                XCTAssertEqual(created.status, .accepted, "\(created.body)")
                let id = try XCTUnwrap(created.body["task_id"]?.stringValue)
                var status = try await client.json(.get, "/v1/workflows/status/\(id)", token: token)
                for _ in 0..<200 where status.body["status"] != "failed" {
                    try await Task.sleep(for: .milliseconds(20))
                    status = try await client.json(.get, "/v1/workflows/status/\(id)", token: token)
                }
                let generate = status.body["stages"]?["generate"]
                XCTAssertEqual(generate?["input"]?["provider"]?.stringValue, entry.provider, entry.model)
                XCTAssertEqual(generate?["input"]?["model"]?.stringValue, entry.sent)
                XCTAssertEqual(status.body["status"], "failed", "no key is configured in tests")
                XCTAssertTrue(status.body["error"]?.canonicalJSON.contains("API key") == true, "\(status.body["error"] ?? .null)")
            }
        }
    }
}
