import Foundation
import HummingbirdTesting
import VidflowCore
import VidflowEngine
import XCTest

/// `GET /api/v1/monitoring/heartbeat/task/{id}` and `GET /api/v1/monitoring/timeout/config`.
final class MonitoringEndpointTests: XCTestCase {
    static func time(_ value: JSONValue?) throws -> Date {
        let text = try XCTUnwrap(value?.stringValue, "last_update missing")
        return try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
    }

    func testHeartbeatMovesWhileATaskRunsAndStaysSetWhenItFinishes() async throws {
        var server = try TestServer()
        defer { server.remove() }
        // Reports 25, 50, 75, 100 % at 400 ms steps.
        server.arguments.extraStages = [FakeVideoStage(typeName: "video.poll", sleepMs: 1600)]
        let alice = try await server.token("alice")
        let bob = try await server.token("bob")
        try await server.test { client in
            let created = try await client.json(.post, "/v1/tasks", token: alice, body: ["task_name": "video.poll", "task_id": "beat"])
            XCTAssertEqual(created.status, .accepted)
            var seen: [(progress: Int, at: Date)] = []
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                let beat = try await client.json(.get, "/api/v1/monitoring/heartbeat/task/beat", token: alice)
                XCTAssertEqual(beat.status, .ok)
                guard beat.body["status"] != "completed" else { break }
                if beat.body["status"] == "running", let progress = beat.body["progress"]?.intValue, progress > 0 {
                    seen.append((progress, try Self.time(beat.body["last_update"])))
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            let progresses = Set(seen.map(\.progress))
            XCTAssertGreaterThanOrEqual(progresses.count, 2, "saw progress \(progresses.sorted())")
            let first = try XCTUnwrap(seen.first), last = try XCTUnwrap(seen.last)
            XCTAssertGreaterThan(last.at, first.at, "last_update moved with the progress")
            let done = try await client.json(.get, "/api/v1/monitoring/heartbeat/task/beat", token: alice)
            XCTAssertEqual(done.body["status"], "completed")
            XCTAssertEqual(done.body["task_id"], "beat")
            XCTAssertEqual(done.body["stage"], "task")
            XCTAssertEqual(done.body["progress"], 100)
            XCTAssertGreaterThanOrEqual(try Self.time(done.body["last_update"]), last.at)

            let foreign = try await client.json(.get, "/api/v1/monitoring/heartbeat/task/beat", token: bob)
            XCTAssertEqual(foreign.status, .notFound)
            let unknown = try await client.json(.get, "/api/v1/monitoring/heartbeat/task/nope", token: alice)
            XCTAssertEqual(unknown.status, .notFound)
            let anonymous = try await client.json(.get, "/api/v1/monitoring/heartbeat/task/beat", token: nil)
            XCTAssertEqual(anonymous.status, .unauthorized)
        }
    }

    func testTimeoutConfigShowsTheConfiguredTimeoutsAndRetryPolicy() async throws {
        var server = try TestServer()
        defer { server.remove() }
        server.arguments.requestTimeout = .seconds(45)
        server.arguments.uploadTimeout = .seconds(900)
        server.arguments.engine.heartbeatInterval = .milliseconds(1500)
        server.arguments.engine.cancelPollInterval = .milliseconds(125)
        server.arguments.engine.staleAfter = 20
        let alice = try await server.token("alice")
        try await server.test { client in
            let config = try await client.json(.get, "/api/v1/monitoring/timeout/config", token: alice)
            XCTAssertEqual(config.status, .ok)
            XCTAssertEqual(config.body["server"]?["request_timeout_ms"], 45_000)
            XCTAssertEqual(config.body["server"]?["upload_timeout_ms"], 900_000)
            XCTAssertEqual(config.body["server"]?["drain_timeout_ms"], 200)
            XCTAssertEqual(config.body["engine"]?["heartbeat_interval_ms"], 1_500)
            XCTAssertEqual(config.body["engine"]?["cancel_poll_interval_ms"], 125)
            XCTAssertEqual(config.body["engine"]?["stale_after_ms"], 20_000)
            XCTAssertEqual(config.body["webhook"]?["retry_backoff_ms"], [50, 50])
            XCTAssertEqual(config.body["stage"]?["timeout_ms"], .null)
            let retry = try XCTUnwrap(config.body["stage"]?["retry"])
            let policy = RetryPolicy.default
            XCTAssertEqual(retry["max_attempts"]?.intValue, policy.maxAttempts)
            XCTAssertEqual(retry["initial_interval_ms"]?.intValue, policy.initialIntervalMs)
            XCTAssertEqual(retry["max_interval_ms"]?.intValue, policy.maxIntervalMs)
            XCTAssertEqual(retry["multiplier"]?.doubleValue, policy.multiplier)
            XCTAssertEqual(Set(retry["non_retryable"]?.arrayValue?.compactMap(\.stringValue) ?? []),
                           Set(policy.nonRetryable.map(\.rawValue)))
            let anonymous = try await client.json(.get, "/api/v1/monitoring/timeout/config", token: nil)
            XCTAssertEqual(anonymous.status, .unauthorized)
        }
    }
}
