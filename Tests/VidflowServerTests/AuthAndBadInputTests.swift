import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import VidflowCore
import VidflowServer
import XCTest

final class AuthAndBadInputTests: XCTestCase {
    func testAnotherUserGets404ForEverythingOfARun() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let alice = try await server.token("alice")
        let bob = try await server.token("bob")
        try await server.test { client in
            let created = try await client.json(.post, "/v1/workflows", token: alice, body: ["definition": Docs.pair()])
            let id = try XCTUnwrap(created.body["workflow_id"]?.stringValue)
            _ = try await client.waitForTerminal(id, token: alice)
            for (method, uri) in [(HTTPRequest.Method.get, "/v1/workflows/status/\(id)"), (.post, "/v1/workflows/\(id)/cancel"),
                                  (.get, "/v1/workflows/\(id)/events"), (.get, "/v1/events?ids=\(id)"),
                                  (.get, "/v1/workflows/\(id)/deliveries")] {
                let answer = try await client.json(method, uri, token: bob)
                XCTAssertEqual(answer.status, .notFound, uri)
            }
            let retry = try await client.json(.post, "/v1/workflows", token: bob,
                                              body: ["execution_mode": "retry", "workflow_id": .string(id)])
            XCTAssertEqual(retry.status, .notFound)
            let list = try await client.json(.get, "/v1/workflows", token: bob)
            XCTAssertEqual(list.body["items"]?.arrayValue?.count, 0)
            let own = try await client.json(.get, "/v1/workflows", token: alice)
            XCTAssertEqual(own.body["items"]?.arrayValue?.count, 1)
        }
    }

    func testTokensAreStoredOnlyAsHashes() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("alice")
        // The database file and its write-ahead log together hold every byte SQLite wrote.
        var data = try Data(contentsOf: URL(fileURLWithPath: server.arguments.dataDirectory + "/vidflow.sqlite"))
        data += (try? Data(contentsOf: URL(fileURLWithPath: server.arguments.dataDirectory + "/vidflow.sqlite-wal"))) ?? Data()
        XCTAssertNil(data.range(of: Data(token.utf8)))
        XCTAssertNotNil(data.range(of: Data(AccessTokens.hash(token).utf8)))
    }

    func testFirstStartWritesAnAdminTokenThatWorks() async throws {
        let server = try TestServer()
        defer { server.remove() }
        try await server.test { client in
            let text = try String(contentsOfFile: server.arguments.dataDirectory + "/admin-token", encoding: .utf8)
            let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
            let list = try await client.json(.get, "/v1/workflows?token=\(token)", token: nil)
            XCTAssertEqual(list.status, .ok)
        }
    }

    func testNoAuthIsRefusedOffLoopbackAndWorksOnIt() async throws {
        var server = try TestServer(auth: false)
        defer { server.remove() }
        try await server.test { client in
            let list = try await client.json(.get, "/v1/workflows", token: nil)
            XCTAssertEqual(list.status, .ok)
        }
        server.arguments.host = "0.0.0.0"
        do {
            _ = try await buildApplication(server.arguments)
            XCTFail("--no-auth on 0.0.0.0 must be refused")
        } catch let error as ServerStartError {
            XCTAssertTrue(error.description.contains("loopback"))
        }
    }

    func testBadBodiesAre400sNamingTheField() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("alice")
        try await server.test { client in
            let malformed = try await client.raw(.post, "/v1/workflows", token: token, text: "{\"workflow\": ")
            XCTAssertEqual(malformed.status, .badRequest)
            XCTAssertEqual(malformed.body["error"]?["code"], "malformed_json")
            XCTAssertEqual(malformed.body["error"]?["field"], "(body)")
            let notObject = try await client.raw(.post, "/v1/workflows", token: token, text: "[1, 2]")
            XCTAssertEqual(notObject.body["error"]?["field"], "(body)")
            let cases: [(JSONValue, String)] = [
                (["definition": Docs.pair(), "dry_run": "yes"], "dry_run"),
                (["definition": Docs.pair(), "inputs": [1]], "inputs"),
                (["definition": Docs.pair(), "surprise": 1], "surprise"),
                (["definition": Docs.pair(), "execution_mode": "sideways"], "execution_mode"),
                (["definition": Docs.pair(), "callback_url": "file:///etc/passwd"], "callback_url"),
                (["definition": Docs.pair(), "inputs": ["fail": "many"]], "inputs.fail"),
                (["definition": Docs.pair(), "inputs": ["nosuch": 1]], "inputs.nosuch"),
                (["definition": ["name": "x", "stages": [["id": "a", "uses": "nosuch"]]]], "definition.stages.a.uses"),
                (["execution_mode": "retry"], "workflow_id"),
                ([:], "workflow"),
            ]
            for (body, field) in cases {
                let answer = try await client.json(.post, "/v1/workflows", token: token, body: body)
                XCTAssertEqual(answer.status, .badRequest, "\(body)")
                XCTAssertEqual(answer.body["error"]?["field"]?.stringValue, field, "\(body) → \(answer.body)")
            }
            let huge = String(repeating: "x", count: 2 * 1024 * 1024)
            let tooBig = try await client.raw(.post, "/v1/workflows", token: token, text: "{\"workflow\": \"\(huge)\"}")
            XCTAssertEqual(tooBig.status, .contentTooLarge)
            let noRoute = try await client.json(.get, "/v1/nothing-here", token: token)
            XCTAssertEqual(noRoute.status, .notFound)
            XCTAssertEqual(noRoute.body["error"]?["code"], "not_found")
        }
    }

    func testConcurrentDuplicateCreatesWithOneIdempotencyKeyMakeOneRun() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let alice = try await server.token("alice")
        let bob = try await server.token("bob")
        try await server.test { client in
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for n in 0..<8 {
                    group.addTask {
                        let headers: HTTPFields = n % 2 == 0 ? [HTTPField.Name("Idempotency-Key")!: "key-1"] : [:]
                        let body: JSONValue = n % 2 == 0 ? ["definition": Docs.pair()]
                            : ["definition": Docs.pair(), "idempotency_key": "key-1"]
                        let answer = try await client.json(.post, "/v1/workflows", token: alice, body: body, headers: headers)
                        XCTAssertEqual(answer.status, .accepted)
                        return answer.body["workflow_id"]?.stringValue ?? ""
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            XCTAssertEqual(ids.count, 1)
            let list = try await client.json(.get, "/v1/workflows", token: alice)
            XCTAssertEqual(list.body["items"]?.arrayValue?.count, 1)
            let other = try await client.json(.post, "/v1/workflows", token: bob,
                                              body: ["definition": Docs.pair(), "idempotency_key": "key-1"])
            XCTAssertEqual(other.status, .accepted)
            XCTAssertNotEqual(other.body["workflow_id"]?.stringValue, ids.first)
        }
    }
}
