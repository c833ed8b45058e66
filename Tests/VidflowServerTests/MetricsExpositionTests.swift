import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import VidflowCore
import VidflowProviders
@testable import VidflowServer
import XCTest

/// `GET /metrics` is Prometheus text that the reference parser (`prometheus_client`, from the test
/// virtualenv that `make test-deps` creates) reads, and its series follow what happened: one stage-duration
/// observation per stage that ran, by type and outcome; HTTP requests by route template and status; no
/// run id in any label. Without the virtualenv the test fails (never skips), saying how to install it.
final class MetricsExpositionTests: XCTestCase {
    struct Sample: Decodable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Family: Decodable {
        var name: String
        var type: String
        var samples: [Sample]
    }

    /// Prints the families `prometheus_client` parsed, as JSON; exits non-zero when the text is not valid.
    static let parser = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        text = open(sys.argv[1], encoding="utf-8").read()
        families = [{"name": f.name, "type": f.type,
                     "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in f.samples]}
                    for f in text_string_to_metric_families(text)]
        print(json.dumps(families))
        """

    static func parse(_ text: String) async throws -> [Family] {
        let python = try OpenAPIFuzzTests.tool("python3")
        let path = NSTemporaryDirectory() + "vidflow-metrics-\(UUID().uuidString).txt"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await OpenAPIFuzzTests.run(python, ["-c", parser, path], timeout: .seconds(60))
        guard result.status == 0 else {
            XCTFail("prometheus_client could not parse /metrics (`make test-deps` installs it):\n\(result.output)\n\(text)")
            return []
        }
        return try JSONDecoder().decode([Family].self, from: Data(result.output.utf8))
    }

    static func value(_ families: [Family], _ sample: String, _ labels: [String: String] = [:]) -> Double? {
        families.flatMap(\.samples).first { found in
            found.name == sample && labels.allSatisfy { key, value in found.labels[key] == value }
        }?.value
    }

    /// Two runs that complete and one whose second stage fails after a retry.
    static func definition(retry: Int) -> JSONValue {
        [
            "name": "metered",
            "inputs": ["fail": ["type": "int", "default": 0]],
            "defaults": ["retry": ["max_attempts": .int(retry), "initial_interval": "10ms"]],
            "stages": [
                ["id": "a", "uses": "noop", "with": ["msg": "hi"]],
                ["id": "b", "uses": "noop", "needs": ["a"], "with": ["fail_times": "${{ inputs.fail }}"]],
            ],
        ]
    }

    func testTheExpositionParsesAndCountsStagesRequestsAndRetriesWithoutRunIDs() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let alice = try await server.token("alice")
        let admin = try await server.token("root", admin: true)
        try await server.test { client in
            var ids: [String] = []
            for fail in [0, 0, 9] {
                let created = try await client.json(.post, "/v1/workflows", token: alice,
                                                    body: ["definition": Self.definition(retry: 2), "inputs": ["fail": .int(fail)]])
                XCTAssertEqual(created.status, .accepted, "\(created.body)")
                ids.append(try XCTUnwrap(created.body["workflow_id"]?.stringValue))
            }
            var statuses: [String] = []
            for id in ids { statuses.append(try await client.waitForTerminal(id, token: alice)["status"]?.stringValue ?? "") }
            XCTAssertEqual(statuses, ["completed", "completed", "failed"])
            let missing = try await client.json(.get, "/v1/workflows/status/wf_not_a_run", token: alice)
            XCTAssertEqual(missing.status, .notFound)

            // Hummingbird counts a request once its body is written, just after the client has it.
            var families: [Family] = []
            var text = ""
            let deadline = ContinuousClock.now + .seconds(10)
            repeat {
                let scrape = try await client.executeRequest(uri: "/metrics", method: .get,
                                                             headers: [.authorization: "Bearer \(admin)"], body: nil)
                XCTAssertEqual(scrape.status, .ok)
                text = String(buffer: scrape.body)
                families = try await Self.parse(text)
                let counted = Self.value(families, "vidflow_http_requests_total",
                                         ["route": "/v1/workflows/status/{id}", "status": "404"])
                if counted == 1 { break }
                try await Task.sleep(for: .milliseconds(50))
            } while ContinuousClock.now < deadline
            XCTAssertFalse(families.isEmpty, text)

            // Stage durations: a histogram, one observation per stage that ran (5 completed, 1 failed).
            let stageFamily = families.first { $0.name == "vidflow_stage_duration_seconds" }
            XCTAssertEqual(stageFamily?.type, "histogram", text)
            let completed = ["type": "noop", "outcome": "completed"]
            let failed = ["type": "noop", "outcome": "failed"]
            XCTAssertEqual(Self.value(families, "vidflow_stage_duration_seconds_count", completed), 5, text)
            XCTAssertEqual(Self.value(families, "vidflow_stage_duration_seconds_count", failed), 1, text)
            XCTAssertEqual(Self.value(families, "vidflow_stage_duration_seconds_bucket", completed.merging(["le": "+Inf"]) { a, _ in a }), 5)
            XCTAssertEqual(Self.value(families, "vidflow_stage_duration_seconds_bucket", completed.merging(["le": "3600.0"]) { a, _ in a }), 5)
            XCTAssertEqual(Self.value(families, "vidflow_stage_retries_total", ["type": "noop", "kind": "transient"]), 1, text)
            // The engine's pools are idle again; the store's gauges are there as before.
            XCTAssertEqual(Self.value(families, "vidflow_pool_running_stages", ["pool": "none"]), 0, text)
            XCTAssertEqual(Self.value(families, "vidflow_pool_queued_stages", ["pool": "none"]), 0, text)
            XCTAssertEqual(Self.value(families, "vidflow_runs", ["status": "completed"]), 2, text)
            XCTAssertEqual(Self.value(families, "vidflow_runs", ["status": "failed"]), 1, text)
            XCTAssertEqual(Self.value(families, "vidflow_queue_depth"), 0, text)
            XCTAssertEqual(Self.value(families, "vidflow_sse_clients"), 0, text)

            // HTTP requests by route template, method and status; the raw path is never a label.
            XCTAssertEqual(Self.value(families, "vidflow_http_requests_total",
                                      ["route": "/v1/workflows", "method": "POST", "status": "202"]), 3, text)
            XCTAssertEqual(Self.value(families, "vidflow_http_requests_total",
                                      ["route": "/v1/workflows/status/{id}", "method": "GET", "status": "404"]), 1, text)
            XCTAssertEqual(families.first { $0.name == "vidflow_http_request_duration_seconds" }?.type, "histogram", text)
            let labelValues = families.flatMap(\.samples).flatMap(\.labels.values)
            for id in ids + ["wf_not_a_run"] {
                XCTAssertFalse(labelValues.contains { $0.contains(id) }, "a label names \(id):\n\(text)")
            }
            XCTAssertFalse(families.flatMap(\.samples).contains { $0.labels.keys.contains { ["run", "run_id", "path"].contains($0) } })
        }
    }

    /// A stage that asks a provider (here: the server's own health endpoint) for a job's status and says
    /// what the job cost, as `video.poll` does.
    struct ProviderProbeStage: Stage {
        var typeName: String { "probe.provider" }
        var version: Int { 1 }
        var schema: StageSchema {
            StageSchema(parameters: [ParameterSpec("url", .string, description: "Where the provider is.")],
                        outputs: [OutputSpec("provider", .string), OutputSpec("cost", .number)])
        }

        func run(_ context: any StageContext) async throws -> StageResult {
            let http = ProviderHTTPClient(provider: "probe", baseURL: context.string("url") ?? "", keys: APIKeyPool(["k"])) { _ in [] }
            _ = try await http.send(ProviderHTTPRequest("GET", "/api/v1/monitoring/health",
                                                        operation: "status of job job_\(context.runID)"))
            return StageResult(outputs: ["provider": "probe", "cost": 2.5])
        }
    }

    func testProviderRequestsAndSpendOfAStageCountInTheServersRegistry() async throws {
        var server = try TestServer(auth: false)
        defer { server.remove() }
        server.arguments.extraStages = [ProviderProbeStage()]
        try await server.test(.live) { client in
            let port = try XCTUnwrap(client.port)
            let definition: JSONValue = ["name": "probe", "stages": [["id": "p", "uses": "probe.provider",
                                                                       "with": ["url": .string("http://127.0.0.1:\(port)")]]]]
            let created = try await client.json(.post, "/v1/workflows", token: nil, body: ["definition": definition])
            let id = try XCTUnwrap(created.body["workflow_id"]?.stringValue, "\(created.body)")
            let done = try await client.waitForTerminal(id, token: nil)
            XCTAssertEqual(done["status"], "completed", "\(done)")
            let scrape = try await client.executeRequest(uri: "/metrics", method: .get, headers: [:], body: nil)
            let text = String(buffer: scrape.body)
            let families = try await Self.parse(text)
            let request = ["provider": "probe", "operation": "status"]
            XCTAssertEqual(Self.value(families, "vidflow_provider_http_requests_total", request.merging(["status_code": "200"]) { a, _ in a }), 1, text)
            XCTAssertEqual(Self.value(families, "vidflow_provider_request_duration_seconds_count", request), 1, text)
            XCTAssertEqual(Self.value(families, "vidflow_provider_spend_total", ["provider": "probe"]), 2.5, text)
            XCTAssertFalse(text.contains(id), "no run id anywhere in the exposition")
        }
    }

    func testOpenEventStreamsAreCountedWhileOpen() async throws {
        let server = try TestServer(auth: false)
        defer { server.remove() }
        try await server.test(.live) { client in
            let port = try XCTUnwrap(client.port)
            let created = try await client.json(.post, "/v1/workflows", token: nil, body: ["definition": Docs.pair(sleepMs: 1000)])
            let id = try XCTUnwrap(created.body["workflow_id"]?.stringValue)
            func clients() async throws -> Double? {
                let scrape = try await client.executeRequest(uri: "/metrics", method: .get, headers: [:], body: nil)
                return Self.value(try await Self.parse(String(buffer: scrape.body)), "vidflow_sse_clients")
            }
            let before = try await clients()
            XCTAssertEqual(before, 0)
            let stream = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/workflows/\(id)/events"),
                                                             timeout: .seconds(20))
            XCTAssertEqual(stream.status, .ok)
            let open = try await clients()
            XCTAssertEqual(open, 1, "the open stream")
            _ = try await stream.body.collect(upTo: 1 << 20)   // ends with the run
            var after: Double?
            let deadline = ContinuousClock.now + .seconds(10)
            repeat {
                after = try await clients()
                if after == 0 { break }
                try await Task.sleep(for: .milliseconds(20))
            } while ContinuousClock.now < deadline
            XCTAssertEqual(after, 0, "closed streams are no longer counted")
        }
    }

    func testWebhookDeliveriesAreCountedByOutcome() async throws {
        let server = try TestServer(allowPrivateURLs: true)   // the receiver is on loopback
        defer { server.remove() }
        let admin = try await server.token("root", admin: true)
        let answers = ReceivedWebhooks(failFirst: 1)
        let receiver = Router()
        receiver.post("/hook") { _, _ -> Response in
            let count = answers.items.withLock { items in
                items.append(([:], Data()))
                return items.count
            }
            return Response(status: count <= answers.failFirst ? .internalServerError : .noContent)
        }
        let receiverApp = Application(router: receiver, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await receiverApp.test(.live) { hook in
            let port = try XCTUnwrap(hook.port)
            try await server.test { client in
                let created = try await client.json(.post, "/v1/workflows", token: admin, body: [
                    "definition": Docs.pair(), "callback_url": .string("http://127.0.0.1:\(port)/hook")])
                let id = try XCTUnwrap(created.body["workflow_id"]?.stringValue)
                _ = try await client.waitForTerminal(id, token: admin)
                var families: [Family] = []
                let deadline = ContinuousClock.now + .seconds(10)
                repeat {
                    let scrape = try await client.executeRequest(uri: "/metrics", method: .get,
                                                                 headers: [.authorization: "Bearer \(admin)"], body: nil)
                    families = try await Self.parse(String(buffer: scrape.body))
                    if Self.value(families, "vidflow_webhook_deliveries_total", ["outcome": "delivered"]) == 1 { break }
                    try await Task.sleep(for: .milliseconds(20))
                } while ContinuousClock.now < deadline
                XCTAssertEqual(Self.value(families, "vidflow_webhook_deliveries_total", ["outcome": "retrying"]), 1)
                XCTAssertEqual(Self.value(families, "vidflow_webhook_deliveries_total", ["outcome": "delivered"]), 1)
            }
        }
    }

    func testEachServerHasItsOwnRegistry() async throws {
        let first = try TestServer(auth: false)
        let second = try TestServer(auth: false)
        defer { first.remove(); second.remove() }
        try await first.test { client in
            let created = try await client.json(.post, "/v1/workflows", token: nil, body: ["definition": Self.definition(retry: 1)])
            let id = try XCTUnwrap(created.body["workflow_id"]?.stringValue)
            _ = try await client.waitForTerminal(id, token: nil)
        }
        try await second.test { client in
            let scrape = try await client.executeRequest(uri: "/metrics", method: .get, headers: [:], body: nil)
            let families = try await Self.parse(String(buffer: scrape.body))
            XCTAssertNil(Self.value(families, "vidflow_stage_duration_seconds_count", ["type": "noop"]),
                         "the second server shows no stage of the first")
        }
    }
}
