import Foundation
import Metrics
import MetricsTestKit
import Synchronization
@testable import VidflowProviders
import XCTest

/// Provider requests are counted by provider, operation verb and status code, timed, and their retries
/// counted by reason, into whatever swift-metrics factory is bound for the task (the engine binds the
/// server's while a stage runs); job ids never become labels.
final class ProviderHTTPMetricsTests: XCTestCase {
    func testRequestsRetriesAndLatencyAreRecordedWithBoundedLabels() async throws {
        let answers = Mutex(0)
        let server = try await FakeHTTPServer.start { _ in
            let count = answers.withLock { value -> Int in
                value += 1
                return value
            }
            return count == 1 ? .json(["error": "busy"], status: 503) : .json(["status": "running"])
        }
        defer { Task { await server.stop() } }
        var http = ProviderHTTPClient(provider: "fakeprov", baseURL: "http://127.0.0.1:\(server.port)",
                                      keys: APIKeyPool(["k"])) { key in [("Authorization", "Bearer \(key)")] }
        http.backoff = .milliseconds(1)
        let metrics = TestMetrics()
        let client = http
        _ = try await withMetricsFactory(metrics) {
            try await client.json(ProviderHTTPRequest("GET", "/v1/tasks/job_8841", operation: "status of task job_8841"))
        }
        XCTAssertEqual(try metrics.expectCounter(ProviderHTTPMetrics.requests, [
            ("provider", "fakeprov"), ("operation", "status"), ("status_code", "503")]).totalValue, 1)
        XCTAssertEqual(try metrics.expectCounter(ProviderHTTPMetrics.requests, [
            ("provider", "fakeprov"), ("operation", "status"), ("status_code", "200")]).totalValue, 1)
        XCTAssertEqual(try metrics.expectCounter(ProviderHTTPMetrics.retries, [("provider", "fakeprov"), ("reason", "transient")])
            .totalValue, 1)
        let latency = try metrics.expectTimer(ProviderHTTPMetrics.duration, [("provider", "fakeprov"), ("operation", "status")])
        XCTAssertEqual(latency.values.count, 2)
        XCTAssertTrue(latency.values.allSatisfy { $0 > 0 })
        let labels = metrics.counters.flatMap(\.dimensions).map(\.1) + metrics.timers.flatMap(\.dimensions).map(\.1)
        XCTAssertFalse(labels.contains { $0.contains("job_8841") }, "\(labels)")
    }

    func testARequestWithoutAnAnswerCountsAsStatusNoneAndOperationsAreAFixedSet() async throws {
        let server = try await FakeHTTPServer.start { _ in FakeResponse.json(["id": "late"]).delayed(.seconds(3)) }
        defer { Task { await server.stop() } }
        let metrics = TestMetrics()
        var http = ProviderHTTPClient(provider: "gone", baseURL: "http://127.0.0.1:\(server.port)", keys: APIKeyPool(["k"])) { _ in [] }
        http.timeout = .seconds(1)
        let client = http
        let create = ProviderHTTPRequest("POST", "/v1/jobs", operation: "submit", isCreate: true)
        await withMetricsFactory(metrics) {
            _ = try? await client.send(create)
        }
        XCTAssertEqual(try metrics.expectCounter(ProviderHTTPMetrics.requests, [
            ("provider", "gone"), ("operation", "create"), ("status_code", "none")]).totalValue, 1, "a paid create whose answer is lost is sent once")
        XCTAssertEqual(ProviderHTTPMetrics.operation(of: ProviderHTTPRequest("GET", "/x", operation: "result of job abc")), "result")
        XCTAssertEqual(ProviderHTTPMetrics.operation(of: ProviderHTTPRequest("GET", "/x", operation: "job_1 whatever")), "other")
        XCTAssertEqual(ProviderHTTPMetrics.operation(of: ProviderHTTPRequest("GET", "/x", operation: "")), "other")
    }

    func testTheRateLimiterSaysHowLongARequestWaited() async throws {
        let limiter = RequestRateLimiter(perMinute: 600)   // a burst of 100, then one every 100 ms
        var waits: [Duration] = []
        for _ in 0..<101 { waits.append(try await limiter.acquire()) }
        XCTAssertTrue(waits.prefix(100).allSatisfy { $0 == .zero }, "the burst does not wait: \(waits.prefix(100))")
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(waits.last), .milliseconds(50))
    }
}
