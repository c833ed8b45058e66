import Foundation
import Hummingbird
import HummingbirdTesting
import VidflowCore
import VidflowStore
import XCTest

final class WorkflowEndpointTests: XCTestCase {
    func testRootAndHealthAnswerWithoutAToken() async throws {
        let server = try TestServer()
        defer { server.remove() }
        try await server.test { client in
            let root = try await client.json(.get, "/", token: nil)
            XCTAssertEqual(root.status, .ok)
            XCTAssertEqual(root.body["message"], "vidflow API is running")
            let health = try await client.json(.get, "/api/v1/monitoring/health", token: nil)
            XCTAssertEqual(health.body["status"], "healthy")
            XCTAssertEqual(health.body["components"]?["database"]?["status"], "healthy")
            let denied = try await client.json(.get, "/v1/workflows", token: nil)
            XCTAssertEqual(denied.status, .unauthorized)
            XCTAssertEqual(denied.body["error"]?["code"], "unauthorized")
            let wrong = try await client.json(.get, "/v1/workflows", token: "vf_nope")
            XCTAssertEqual(wrong.status, .unauthorized)
        }
    }

    func testCreateAnswers202AndStatusShowsEveryStage() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("alice")
        try await server.test { client in
            let created = try await client.json(.post, "/v1/workflows", token: token,
                                                body: ["definition": Docs.pair(), "inputs": ["msg": "hello"]])
            XCTAssertEqual(created.status, .accepted)
            XCTAssertEqual(created.body["tasks_total"], 2)
            XCTAssertEqual(created.body["tasks_to_execute"], 2)
            XCTAssertEqual(created.body["execution_mode"], "full")
            let id = try XCTUnwrap(created.body["workflow_id"]?.stringValue)
            let done = try await client.waitForTerminal(id, token: token)
            XCTAssertEqual(done["status"], "completed")
            XCTAssertEqual(done["error"], .null)
            XCTAssertEqual(done["stages"]?["a"]?["status"], "completed")
            XCTAssertEqual(done["stages"]?["a"]?["output"]?["msg"], "hello")
            XCTAssertEqual(done["stages"]?["b"]?["attempts"], 1)
            XCTAssertNotNil(done["stages"]?["a"]?["start_time"]?.stringValue)
        }
    }

    func testFailedRunIs200WithItsErrorAndUnknownRunIs404() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("alice")
        try await server.test { client in
            let created = try await client.json(.post, "/v1/workflows", token: token,
                                                body: ["definition": Docs.pair(), "inputs": ["fail": 1]])
            let id = try XCTUnwrap(created.body["workflow_id"]?.stringValue)
            let done = try await client.waitForTerminal(id, token: token)
            XCTAssertEqual(done["status"], "failed")
            XCTAssertNotNil(done["error"]?["message"]?.stringValue)
            XCTAssertEqual(done["stages"]?["b"]?["status"], "failed")
            let missing = try await client.json(.get, "/v1/workflows/status/run_unknown", token: token)
            XCTAssertEqual(missing.status, .notFound)
            XCTAssertEqual(missing.body["error"]?["code"], "not_found")
        }
    }

    func testRetryReusesCompletedStagesAndStrictRefusesChangedInputs() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("alice")
        try await server.test { client in
            let first = try await client.json(.post, "/v1/workflows", token: token,
                                              body: ["definition": Docs.pair(), "inputs": ["fail": 1]])
            let base = try XCTUnwrap(first.body["workflow_id"]?.stringValue)
            _ = try await client.waitForTerminal(base, token: token)
            let strict = try await client.json(.post, "/v1/workflows", token: token, body: [
                "execution_mode": "retry", "workflow_id": .string(base), "inputs": ["fail": 0],
                "param_merge_strategy": "strict"])
            XCTAssertEqual(strict.status, .badRequest)
            XCTAssertEqual(strict.body["error"]?["field"], "inputs")
            XCTAssertTrue(strict.body["error"]?["message"]?.stringValue?.contains("fail") == true)
            let dry = try await client.json(.post, "/v1/workflows", token: token, body: [
                "execution_mode": "retry", "workflow_id": .string(base), "inputs": ["fail": 0], "dry_run": true])
            XCTAssertEqual(dry.status, .ok)
            XCTAssertEqual(dry.body["tasks_skipped"], 1)
            XCTAssertEqual(dry.body["stages"]?.arrayValue?.first?["action"], "reuse")
            let retry = try await client.json(.post, "/v1/workflows", token: token, body: [
                "execution_mode": "retry", "workflow_id": .string(base), "inputs": ["fail": 0]])
            XCTAssertEqual(retry.status, .accepted)
            XCTAssertEqual(retry.body["tasks_skipped"], 1)
            XCTAssertEqual(retry.body["tasks_to_execute"], 1)
            let id = try XCTUnwrap(retry.body["workflow_id"]?.stringValue)
            let done = try await client.waitForTerminal(id, token: token)
            XCTAssertEqual(done["status"], "completed")
            XCTAssertEqual(done["stages"]?["a"]?["reused_from"]?.stringValue, "\(base)/a")
        }
    }

    func testMergeKeepsTheBaseInputsAndOverrideDropsThem() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("alice")
        try await server.test { client in
            let first = try await client.json(.post, "/v1/workflows", token: token,
                                              body: ["definition": Docs.pair(), "inputs": ["msg": "old"]])
            let base = try XCTUnwrap(first.body["workflow_id"]?.stringValue)
            _ = try await client.waitForTerminal(base, token: token)
            for (strategy, expected) in [("merge", "old"), ("override", "hi")] {
                let plan = try await client.json(.post, "/v1/workflows", token: token, body: [
                    "execution_mode": "incremental", "workflow_id": .string(base), "param_merge_strategy": .string(strategy),
                    "dry_run": true])
                XCTAssertEqual(plan.body["inputs"]?["msg"]?.stringValue, expected, strategy)
                XCTAssertEqual(plan.body["tasks_skipped"], expected == "old" ? 2 : 0, strategy)
            }
        }
    }

    func testRetryOfARunningBaseIs409() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("alice")
        try await server.test { client in
            let first = try await client.json(.post, "/v1/workflows", token: token,
                                              body: ["definition": Docs.pair(sleepMs: 1500)])
            let base = try XCTUnwrap(first.body["workflow_id"]?.stringValue)
            let retry = try await client.json(.post, "/v1/workflows", token: token,
                                              body: ["execution_mode": "incremental", "workflow_id": .string(base)])
            XCTAssertEqual(retry.status, .conflict)
            XCTAssertEqual(retry.body["error"]?["field"], "workflow_id")
            let cancel = try await client.json(.post, "/v1/workflows/\(base)/cancel", token: token)
            XCTAssertEqual(cancel.status, .accepted)
            let done = try await client.waitForTerminal(base, token: token)
            XCTAssertEqual(done["status"], "cancelled")
            let again = try await client.json(.post, "/v1/workflows/\(base)/cancel", token: token)
            XCTAssertEqual(again.status, .conflict)
        }
    }

    func testConcurrentRetriesOfOneBaseGiveOne202AndOne409() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("alice")
        try await server.test { client in
            let first = try await client.json(.post, "/v1/workflows", token: token,
                                              body: ["definition": Docs.pair(), "inputs": ["fail": 1]])
            let base = try XCTUnwrap(first.body["workflow_id"]?.stringValue)
            _ = try await client.waitForTerminal(base, token: token)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        try await client.json(.post, "/v1/workflows", token: token, body: [
                            "execution_mode": "retry", "workflow_id": .string(base), "inputs": ["fail": 0, "slow": 1000]]).status
                    }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            XCTAssertEqual(statuses.sorted { $0.code < $1.code }, [.accepted, .conflict])
        }
    }

    func testShutdownWaitsOnlyTheDrainTimeoutAndLeavesTheRunToRecovery() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("alice")
        let started = ContinuousClock.now
        let id = try await server.test { client in
            let created = try await client.json(.post, "/v1/workflows", token: token,
                                                body: ["definition": Docs.pair(sleepMs: 20_000)])
            return created.body["workflow_id"]?.stringValue ?? ""
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5), "graceful shutdown waits for the drain timeout only")
        let store = try SQLiteWorkflowStore(path: server.arguments.dataDirectory + "/vidflow.sqlite")
        let run = try await store.run(id)
        XCTAssertEqual(run?.status, .running, "left for the next start to recover")
    }

    func testNamedWorkflowAndWorkflowChain() async throws {
        let server = try TestServer()
        defer { server.remove() }
        try server.writeWorkflow("hello", "name: hello\nstages:\n  - { id: one, uses: noop, with: { word: hi } }\n")
        let token = try await server.token("alice")
        try await server.test { client in
            let named = try await client.json(.post, "/v1/workflows", token: token, body: ["workflow": "hello"])
            XCTAssertEqual(named.status, .accepted)
            let unknown = try await client.json(.post, "/v1/workflows", token: token, body: ["workflow": "nope"])
            XCTAssertEqual(unknown.status, .badRequest)
            XCTAssertEqual(unknown.body["error"]?["field"], "workflow")
            let traversal = try await client.json(.post, "/v1/workflows", token: token, body: ["workflow": "../etc/passwd"])
            XCTAssertEqual(traversal.status, .badRequest)
            let chain = try await client.json(.post, "/v1/workflows", token: token, body: [
                "workflow_config": ["workflow_chain": ["noop"], "noop": ["word": "chained"]]])
            XCTAssertEqual(chain.status, .accepted)
            let id = try XCTUnwrap(chain.body["workflow_id"]?.stringValue)
            let done = try await client.waitForTerminal(id, token: token)
            XCTAssertEqual(done["status"], "completed")
        }
    }

    func testListPagesWithACursorAndFiltersByStatus() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("alice")
        try await server.test { client in
            var ids: [String] = []
            for n in 0..<3 {
                let created = try await client.json(.post, "/v1/workflows", token: token,
                                                    body: ["definition": Docs.pair(), "inputs": ["msg": .string("m\(n)")]])
                ids.append(try XCTUnwrap(created.body["workflow_id"]?.stringValue))
            }
            for id in ids { _ = try await client.waitForTerminal(id, token: token) }
            let page1 = try await client.json(.get, "/v1/workflows?limit=2", token: token)
            XCTAssertEqual(page1.body["items"]?.arrayValue?.count, 2)
            let cursor = try XCTUnwrap(page1.body["next_cursor"]?.stringValue)
            let page2 = try await client.json(.get, "/v1/workflows?limit=2&cursor=\(cursor)", token: token)
            XCTAssertEqual(page2.body["items"]?.arrayValue?.count, 1)
            XCTAssertEqual(page2.body["next_cursor"], .null)
            let seen = (page1.body["items"]?.arrayValue ?? []) + (page2.body["items"]?.arrayValue ?? [])
            XCTAssertEqual(Set(seen.compactMap { $0["workflow_id"]?.stringValue }), Set(ids))
            let failed = try await client.json(.get, "/v1/workflows?status=failed", token: token)
            XCTAssertEqual(failed.body["items"]?.arrayValue?.count, 0)
            let bad = try await client.json(.get, "/v1/workflows?limit=0", token: token)
            XCTAssertEqual(bad.body["error"]?["field"], "limit")
            let badCursor = try await client.json(.get, "/v1/workflows?cursor=run_nope", token: token)
            XCTAssertEqual(badCursor.body["error"]?["field"], "cursor")
            let badStatus = try await client.json(.get, "/v1/workflows?status=weird", token: token)
            XCTAssertEqual(badStatus.body["error"]?["field"], "status")
        }
    }
}
