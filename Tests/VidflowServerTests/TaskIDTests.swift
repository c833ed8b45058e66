import Foundation
import HummingbirdTesting
import VidflowCore
import XCTest

/// `POST /v1/tasks` with a client-chosen `task_id`: it becomes the task's id, taken ids answer 409, bad ones 400.
final class TaskIDTests: XCTestCase {
    func testGivenTaskIDIsTheTasksIDAndReachesItsStatus() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let alice = try await server.token("alice")
        try await server.test { client in
            let created = try await client.json(.post, "/v1/tasks", token: alice, body: [
                "task_name": "noop", "task_id": "clip-42_A", "input_data": ["word": "hi"]])
            XCTAssertEqual(created.status, .accepted)
            XCTAssertEqual(created.body["task_id"], "clip-42_A")
            _ = try await client.waitForTerminal("clip-42_A", token: alice)
            let status = try await client.json(.get, "/v1/tasks/clip-42_A/status", token: alice)
            XCTAssertEqual(status.status, .ok)
            XCTAssertEqual(status.body["task_id"], "clip-42_A")
            XCTAssertEqual(status.body["status"], "completed")
            XCTAssertEqual(status.body["result"]?["word"], "hi")
            // The same user posting the same task_id again gets that task back, not a second run.
            let again = try await client.json(.post, "/v1/tasks", token: alice, body: [
                "task_name": "noop", "task_id": "clip-42_A", "input_data": ["word": "other"]])
            XCTAssertEqual(again.status, .accepted)
            XCTAssertEqual(again.body["task_id"], "clip-42_A")
            XCTAssertEqual(again.body["status"], "completed")
            XCTAssertEqual(again.body["result"]?["word"], "hi")
            let runs = try await client.json(.get, "/v1/workflows", token: alice)
            XCTAssertEqual(runs.body["items"]?.arrayValue?.count, 1, "\(runs.body)")
        }
    }

    func testTaskIDTakenByAnotherTaskAnswers409WithoutSayingWhose() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let alice = try await server.token("alice")
        let bob = try await server.token("bob")
        try await server.test { client in
            let first = try await client.json(.post, "/v1/tasks", token: alice, body: ["task_name": "noop", "task_id": "shared"])
            XCTAssertEqual(first.status, .accepted)
            let taken = try await client.json(.post, "/v1/tasks", token: bob, body: ["task_name": "noop", "task_id": "shared"])
            XCTAssertEqual(taken.status, .conflict)
            XCTAssertEqual(taken.body["error"]?["field"], "task_id")
            XCTAssertEqual(taken.body["error"]?["code"], "conflict")
            XCTAssertFalse(taken.body.canonicalJSON.contains("alice"), "\(taken.body)")
            let foreign = try await client.json(.get, "/v1/tasks/shared/status", token: bob)
            XCTAssertEqual(foreign.status, .notFound)
            // An id held by another of the user's own runs (here one with a generated id) is taken too.
            let unnamed = try await client.json(.post, "/v1/tasks", token: alice, body: ["task_name": "noop"])
            let generated = try XCTUnwrap(unnamed.body["task_id"]?.stringValue)
            XCTAssertTrue(generated.hasPrefix("run_"), generated)
            let reused = try await client.json(.post, "/v1/tasks", token: alice, body: ["task_name": "noop", "task_id": .string(generated)])
            XCTAssertEqual(reused.status, .conflict)
            XCTAssertEqual(reused.body["error"]?["field"], "task_id")
            let mine = try await client.json(.get, "/v1/tasks/shared/status", token: alice)
            XCTAssertEqual(mine.status, .ok, "the owner's task is untouched by the refused request")
        }
    }

    func testTwoUsersRacingForOneTaskIDGetOne202AndOne409NeverAServerError() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let alice = try await server.token("alice")
        let bob = try await server.token("bob")
        try await server.test { client in
            for round in 0..<8 {
                let body: JSONValue = ["task_name": "noop", "task_id": .string("race-\(round)")]
                async let first = client.json(.post, "/v1/tasks", token: alice, body: body)
                async let second = client.json(.post, "/v1/tasks", token: bob, body: body)
                let answers = try await [first, second]
                XCTAssertEqual(Set(answers.map(\.status.code)), [202, 409], "round \(round): \(answers.map(\.body))")
                XCTAssertEqual(answers.first { $0.status == .conflict }?.body["error"]?["field"], "task_id")
            }
        }
    }

    func testInvalidTaskIDAnswers400NamingTheFieldAndWritesNothing() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let alice = try await server.token("alice")
        try await server.test { client in
            for bad: JSONValue in ["", "a/b", "../x", "has space", "é", .string(String(repeating: "a", count: 65)), "x\n"] {
                let answer = try await client.json(.post, "/v1/tasks", token: alice, body: ["task_name": "noop", "task_id": bad])
                XCTAssertEqual(answer.status, .badRequest, "\(bad)")
                XCTAssertEqual(answer.body["error"]?["field"], "task_id", "\(bad)")
            }
            let number = try await client.json(.post, "/v1/tasks", token: alice, body: ["task_name": "noop", "task_id": 7])
            XCTAssertEqual(number.body["error"]?["field"], "task_id")
            let runs = try await client.json(.get, "/v1/workflows", token: alice)
            XCTAssertEqual(runs.body["items"]?.arrayValue?.count, 0)
            let longest = String(repeating: "Z", count: 64)
            let accepted = try await client.json(.post, "/v1/tasks", token: alice, body: ["task_name": "noop", "task_id": .string(longest)])
            XCTAssertEqual(accepted.status, .accepted)
            XCTAssertEqual(accepted.body["task_id"]?.stringValue, longest)
        }
    }
}
