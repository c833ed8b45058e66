import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import VidflowCore
@testable import VidflowServer
import XCTest

/// Keeps the lines a `JSONLogHandler` writes (as `vidflow serve --log-format json` would on stderr).
final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])

    func logger() -> Logger {
        Logger(label: "vidflow.server") { label in
            JSONLogHandler(label: label, level: .info, write: { line in self.lines.withLock { $0.append(line) } })
        }
    }

    /// Every line, parsed; a line that is not one JSON object fails the test.
    var objects: [JSONValue] {
        lines.withLock { $0 }.map { line in
            guard let value = try? JSONValue.parse(line), value.objectValue != nil, line.hasSuffix("\n") else {
                XCTFail("not one JSON object per line: \(line)")
                return .null
            }
            return value
        }
    }

    /// Waits (up to 10 s) for lines matching `predicate`: request lines are written once the body is.
    func waitFor(_ predicate: (JSONValue) -> Bool) async throws -> [JSONValue] {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let found = objects.filter(predicate)
            if !found.isEmpty { return found }
            try await Task.sleep(for: .milliseconds(20))
        }
        return []
    }
}

/// Request ids (`X-Request-ID`, taken when well-formed, else made up) are echoed in the response and in
/// error bodies; one info line per request and per stage transition, JSON with `--log-format json`.
final class RequestLogTests: XCTestCase {
    static let header = HTTPField.Name("X-Request-ID")

    static func get(_ client: any TestClientProtocol, _ uri: String, requestID: String?, token: String? = nil) async throws
        -> (status: HTTPResponse.Status, requestID: String?, body: JSONValue) {
        let name = try XCTUnwrap(Self.header)
        var headers: HTTPFields = [:]
        if let requestID { headers[name] = requestID }
        if let token { headers[.authorization] = "Bearer \(token)" }
        let response = try await client.executeRequest(uri: uri, method: .get, headers: headers, body: nil)
        return (response.status, response.headers[name], (try? JSONValue.parse(String(buffer: response.body))) ?? .null)
    }

    func testAWellFormedRequestIDIsEchoedAndAMissingOrHostileOneIsReplaced() async throws {
        let server = try TestServer()
        defer { server.remove() }
        try await server.test { client in
            let given = "client-42_a.b:c"
            let echoed = try await Self.get(client, "/api/v1/monitoring/health", requestID: given)
            XCTAssertEqual(echoed.status, .ok)
            XCTAssertEqual(echoed.requestID, given)
            let made = try await Self.get(client, "/api/v1/monitoring/health", requestID: nil)
            let generated = try XCTUnwrap(made.requestID)
            XCTAssertTrue(RequestTrace.isWellFormed(generated), generated)
            XCTAssertEqual(generated.count, 36, "a UUID")
            let again = try await Self.get(client, "/api/v1/monitoring/health", requestID: nil)
            XCTAssertNotEqual(again.requestID, generated, "a new id per request")
            for hostile in [String(repeating: "x", count: 129), "two words", "id<script>", "ünïcode", "a;b=c", ""] {
                let answer = try await Self.get(client, "/api/v1/monitoring/health", requestID: hostile)
                let replaced = try XCTUnwrap(answer.requestID)
                XCTAssertNotEqual(replaced, hostile)
                XCTAssertTrue(RequestTrace.isWellFormed(replaced), replaced)
                XCTAssertEqual(replaced.count, 36)
            }
            let longest = String(repeating: "y", count: 128)
            let kept = try await Self.get(client, "/api/v1/monitoring/health", requestID: longest)
            XCTAssertEqual(kept.requestID, longest, "128 characters is the limit, inclusive")
        }
    }

    func testErrorBodiesCarryTheRequestID() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let alice = try await server.token("alice")
        try await server.test { client in
            let missing = try await Self.get(client, "/v1/workflows/status/wf_nope", requestID: "trace-404", token: alice)
            XCTAssertEqual(missing.status, .notFound)
            XCTAssertEqual(missing.body["error"]?["code"], "not_found")
            XCTAssertEqual(missing.body["error"]?["request_id"], "trace-404")
            XCTAssertEqual(missing.requestID, "trace-404")
            let anonymous = try await Self.get(client, "/v1/workflows/status/wf_nope", requestID: "bad id")
            XCTAssertEqual(anonymous.status, .unauthorized)
            let generated = try XCTUnwrap(anonymous.requestID)
            XCTAssertEqual(anonymous.body["error"]?["request_id"]?.stringValue, generated, "the body names the header's id")
            let noRoute = try await Self.get(client, "/v1/no/such/route", requestID: "trace-none", token: alice)
            XCTAssertEqual(noRoute.status, .notFound)
            XCTAssertEqual(noRoute.body["error"]?["request_id"], "trace-none")
        }
    }

    func testEachRequestIsLoggedOnceWithMethodRouteStatusDurationUserAndRequestID() async throws {
        var server = try TestServer()
        defer { server.remove() }
        let log = CapturedLog()
        server.arguments.logger = log.logger()
        let alice = try await server.token("alice")
        try await server.test { client in
            _ = try await Self.get(client, "/v1/workflows/status/wf_secret_path", requestID: "line-1", token: alice)
            _ = try await Self.get(client, "/v1/workflows/status/wf_other", requestID: "line-2")
        }
        let lines = try await log.waitFor { $0["request_id"] == "line-1" && $0["route"] != nil }
        XCTAssertEqual(lines.count, 1, "one line per request: \(lines)")
        let line = try XCTUnwrap(lines.first)
        XCTAssertEqual(line["level"], "info")
        XCTAssertEqual(line["method"], "GET")
        XCTAssertEqual(line["route"], "/v1/workflows/status/{id}", "the route template, not the path")
        XCTAssertEqual(line["status"], "404")
        XCTAssertNotNil(line["duration_ms"]?.stringValue.flatMap(Double.init), "\(line)")
        let user = try XCTUnwrap(line["user"]?.stringValue)
        XCTAssertNotEqual(user, "-", "the authenticated user's id")
        XCTAssertFalse(line.canonicalJSON.contains(alice), "never the token")
        let anonymous = try await log.waitFor { $0["request_id"] == "line-2" && $0["route"] != nil }
        XCTAssertEqual(anonymous.first?["status"], "401")
        XCTAssertEqual(anonymous.first?["user"], "-")
    }

    func testStageTransitionsAreLoggedWithRunStageAttemptStatusAndDuration() async throws {
        var server = try TestServer()
        defer { server.remove() }
        let log = CapturedLog()
        server.arguments.logger = log.logger()
        let alice = try await server.token("alice")
        let id = try await server.test { client in
            let created = try await client.json(.post, "/v1/workflows", token: alice, body: ["definition": Docs.pair()])
            let id = try XCTUnwrap(created.body["workflow_id"]?.stringValue)
            _ = try await client.waitForTerminal(id, token: alice)
            return id
        }
        let lines = log.objects.filter { $0["run"]?.stringValue == id }
        func statuses(_ stage: String) -> [String] { lines.filter { $0["stage"]?.stringValue == stage }.compactMap { $0["status"]?.stringValue } }
        XCTAssertEqual(statuses("a"), ["queued", "running", "completed"], "\(lines)")
        // `b` is queued and started in the transaction that completes `a`: one committed transition.
        XCTAssertEqual(statuses("b"), ["running", "completed"], "\(lines)")
        let completed = try XCTUnwrap(lines.last { $0["stage"] == "b" })
        XCTAssertEqual(completed["level"], "info")
        XCTAssertEqual(completed["attempt"], "1")
        XCTAssertEqual(completed["type"], "noop")
        XCTAssertNotNil(completed["duration_ms"]?.stringValue.flatMap(Int.init), "\(completed)")
        XCTAssertEqual(lines.filter { $0["stage"] == nil }.compactMap { $0["status"]?.stringValue }, ["running", "completed"])
    }
}
