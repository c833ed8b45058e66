import Foundation
import Hummingbird
import HummingbirdTesting
import VidflowCore
import XCTest

/// `POST /v1/workflows` with hostile definitions: a 400 naming the field, at once, and the server lives on.
final class HostileDefinitionTests: XCTestCase {
    func testAParenthesisBombIs400NamingTheIfFieldEvenInADryRun() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("alice")
        let bomb = "${{ " + String(repeating: "(", count: 50_000) + "true" + String(repeating: ")", count: 50_000) + " }}"
        try await server.test { client in
            for dryRun in [true, false] {
                let definition: JSONValue = ["name": "bomb", "stages": [["id": "a", "uses": "noop", "if": .string(bomb)]]]
                let answer = try await client.json(.post, "/v1/workflows", token: token,
                                                   body: ["definition": definition, "dry_run": .bool(dryRun)])
                XCTAssertEqual(answer.status, .badRequest, "\(answer.body)")
                XCTAssertEqual(answer.body["error"]?["field"], "definition.stages.a.if")
                let message = answer.body["error"]?["message"]?.stringValue ?? ""
                XCTAssertTrue(message.contains("nest more than 64 deep"), message)
                XCTAssertLessThan(message.count, 500)
            }
            let health = try await client.json(.get, "/api/v1/monitoring/health", token: nil)
            XCTAssertEqual(health.status, .ok)
        }
    }

    func testDeeplyNestedJSONIs400NotACrash() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("alice")
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let shallow = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        try await server.test { client in
            let body = #"{"definition": {"name": "d", "stages": [{"id": "a", "uses": "noop", "with": {"x": \#(deep)}}]}}"#
            let answer = try await client.raw(.post, "/v1/workflows", token: token, text: body)
            XCTAssertEqual(answer.status, .badRequest, "\(answer.body)")
            XCTAssertLessThan(answer.body["error"]?["message"]?.stringValue?.count ?? .max, 500)
            let nested = #"{"definition": {"name": "d", "stages": [{"id": "a", "uses": "noop", "with": {"x": \#(shallow)}}]}}"#
            let refused = try await client.raw(.post, "/v1/workflows", token: token, text: nested)
            XCTAssertEqual(refused.status, .badRequest, "\(refused.body)")
            XCTAssertEqual(refused.body["error"]?["field"]?.stringValue?.hasPrefix("definition.stages[0].with.x[0][0]"), true,
                           "\(refused.body)")
        }
    }

    func testATenThousandStageChainIsAcceptedPromptly() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("alice")
        let stages = (0..<DefinitionLimits.maxStages).map { JSONValue.object(["id": .string("s\($0)"), "uses": "noop"]) }
        try await server.test { client in
            let started = Date()
            let answer = try await client.json(.post, "/v1/workflows", token: token,
                                               body: ["definition": ["name": "chain", "stages": .array(stages)], "dry_run": true])
            XCTAssertEqual(answer.status, .ok, "\(answer.body)")
            XCTAssertLessThan(Date().timeIntervalSince(started), 30, "quadratic validation took minutes")
            let tooMany = stages + [["id": "one_more", "uses": "noop"]]
            let refused = try await client.json(.post, "/v1/workflows", token: token,
                                                body: ["definition": ["name": "chain", "stages": .array(tooMany)], "dry_run": true])
            XCTAssertEqual(refused.status, .badRequest)
            XCTAssertEqual(refused.body["error"]?["field"], "definition.stages")
        }
    }
}
