import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import VidflowCore
@testable import VidflowServer
import XCTest

final class OpenAPIAndOperationsTests: XCTestCase {
    /// `METHOD /path` pairs of share/openapi.yaml (paths at two spaces, methods at four).
    static func documentedRoutes() throws -> Set<String> {
        let path = try XCTUnwrap(OpenAPIController.documentPath())
        var routes: Set<String> = []
        var current: String?
        var inPaths = false
        for line in try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n") {
            if line == "paths:" { inPaths = true; continue }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                current = String(line.dropFirst(2).dropLast())
            } else if let current, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                let method = line.trimmingCharacters(in: .whitespaces).dropLast()
                if ["get", "head", "post", "put", "delete", "patch"].contains(method) { routes.insert("\(method.uppercased()) \(current)") }
            }
        }
        return routes
    }

    func testEveryRouteIsInTheOpenAPIDocumentAndViceVersa() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let state = try await ServerState.open(arguments: server.arguments, logger: Logger(label: "test"))
        let router = makeRouter(state: state, localUser: nil)
        let routed = Set(router.routes.map { route -> String in
            let path = "\(route.path)".split(separator: "/").map { part -> String in
                if part == "**" { return "{path}" }
                if part.hasPrefix(":") { return "{\(part.dropFirst())}" }
                return String(part)
            }.joined(separator: "/")
            return "\(route.method.rawValue) /\(path)"
        })
        let documented = try Self.documentedRoutes()
        XCTAssertEqual(routed.subtracting(documented), [], "routes missing from share/openapi.yaml")
        XCTAssertEqual(documented.subtracting(routed), [], "documented routes the router lacks")
        try await server.test { client in
            let response = try await client.executeRequest(uri: "/openapi.yaml", method: .get, headers: [:], body: nil)
            XCTAssertEqual(response.status, .ok)
            XCTAssertTrue(String(buffer: response.body).hasPrefix("openapi: 3.1"))
        }
    }

    func testConfigMasksKeysAndChecksValues() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let alice = try await server.token("alice")
        let admin = try await server.token("root", admin: true)
        try await server.test { client in
            let put = try await client.json(.put, "/v1/config", token: admin, body: [
                "default_model": "sora-2", "max_concurrency": 2,
                "provider_api_keys": ["openai": "sk-live-abcdefghijklmnopx4KR, sk-live-zyxwvutsrqponm9QzZ",
                                      "kling": "AKaccess123456:SKsecret7890zz"]])
            XCTAssertEqual(put.status, .ok)
            XCTAssertEqual(put.body["provider_api_keys"]?["openai"], "sk-****x4KR,sk-****9QzZ", "each key of a list masked")
            XCTAssertEqual(put.body["provider_api_keys"]?["kling"], "AK****3456:****", "nothing of a secret key shown")
            let get = try await client.json(.get, "/v1/config", token: alice)
            XCTAssertEqual(get.body["default_model"], "sora-2")
            XCTAssertEqual(get.body["max_concurrency"], 2)
            XCTAssertFalse(get.body.canonicalJSON.contains("abcdefghij"))
            XCTAssertFalse(get.body.canonicalJSON.contains("7890"))
            let bad = try await client.json(.put, "/v1/config", token: admin, body: ["max_concurrency": 9])
            XCTAssertEqual(bad.body["error"]?["field"], "max_concurrency")
            let unknown = try await client.json(.put, "/v1/config", token: admin, body: ["colour": "red"])
            XCTAssertEqual(unknown.body["error"]?["field"], "colour")
            let forbidden = try await client.json(.put, "/v1/config", token: alice, body: ["default_model": "x"])
            XCTAssertEqual(forbidden.status, .forbidden)
            var database = try Data(contentsOf: URL(fileURLWithPath: server.arguments.dataDirectory + "/vidflow.sqlite"))
            database += (try? Data(contentsOf: URL(fileURLWithPath: server.arguments.dataDirectory + "/vidflow.sqlite-wal"))) ?? Data()
            XCTAssertNil(database.range(of: Data("abcdefghijklmnop".utf8)))
        }
    }

    func testMetricsAndTasks() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let alice = try await server.token("alice")
        let admin = try await server.token("root", admin: true)
        try await server.test { client in
            let task = try await client.json(.post, "/v1/tasks", token: alice, body: [
                "task_name": "noop", "task_id": "t-1", "input_data": ["word": "hi"]])
            XCTAssertEqual(task.status, .accepted)
            let id = try XCTUnwrap(task.body["task_id"]?.stringValue)
            _ = try await client.waitForTerminal(id, token: alice)
            let status = try await client.json(.get, "/v1/tasks/\(id)/status", token: alice)
            XCTAssertEqual(status.body["status"], "completed")
            XCTAssertEqual(status.body["result"]?["word"], "hi")
            let again = try await client.json(.post, "/v1/tasks", token: alice, body: ["task_name": "noop", "task_id": "t-1"])
            XCTAssertEqual(again.body["task_id"]?.stringValue, id)
            let unknown = try await client.json(.post, "/v1/tasks", token: alice, body: ["task_name": "nope"])
            XCTAssertEqual(unknown.body["error"]?["field"], "task_name")

            let metrics = try await client.executeRequest(uri: "/metrics", method: .get,
                                                          headers: [.authorization: "Bearer \(admin)"], body: nil)
            let text = String(buffer: metrics.body)
            XCTAssertTrue(text.contains("vidflow_runs{status=\"completed\"} 1"), text)
            XCTAssertTrue(text.contains("vidflow_queue_depth 0"))
            let denied = try await client.json(.get, "/metrics", token: alice)
            XCTAssertEqual(denied.status, .forbidden)
        }
    }
}
