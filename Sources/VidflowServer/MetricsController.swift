import Foundation
import Hummingbird
import Prometheus

/// `GET /metrics` (administrators): the server's Prometheus registry (`ServerMetrics`: stage durations,
/// provider requests, retries, pools, webhooks, HTTP requests, SSE clients, spend) after the gauges read
/// from the database at each scrape (runs and stages by status, provider jobs) and the engine's queue.
struct MetricsController {
    let state: ServerState

    func addRoutes(to router: Router<ServerRequestContext>) {
        router.get("/metrics", use: metrics)
    }

    @Sendable func metrics(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let user = try context.requireUser()
        guard user.isAdmin else { throw APIError(.forbidden, code: "forbidden", "metrics are for administrators") }
        let scrape = try await storeGauges()
        let text = scrape.emitToString() + state.metrics.registry.emitToString()
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// What the database and the engine say now, in a registry made for this scrape (so a status that
    /// no longer has rows disappears instead of keeping its last value).
    private func storeGauges() async throws -> PrometheusCollectorRegistry {
        let counts = try await state.store.statusCounts()
        let jobs = try await state.store.providerJobCounts()
        let registry = PrometheusCollectorRegistry()
        let runs = Self.name("runs", "", "Runs by status (from the database).")
        for (status, count) in counts.runs { registry.makeGauge(descriptor: runs, labels: [("status", status)]).set(to: Double(count)) }
        let stages = Self.name("stages", "", "Stages by status (from the database).")
        for (status, count) in counts.stages { registry.makeGauge(descriptor: stages, labels: [("status", status)]).set(to: Double(count)) }
        let submitted = Self.name("provider_requests", "total", "Paid provider jobs recorded (from the database).")
        let unsubmitted = Self.name("provider_errors", "total", "Paid provider jobs recorded without an external id.")
        for entry in jobs {
            registry.makeCounter(descriptor: submitted, labels: [("provider", entry.provider)]).increment(by: Int64(entry.total))
            registry.makeCounter(descriptor: unsubmitted, labels: [("provider", entry.provider)]).increment(by: Int64(entry.unsubmitted))
        }
        registry.makeGauge(descriptor: Self.name("queue_depth", "", "Stages waiting for a concurrency slot."))
            .set(to: Double(state.engine.queueDepth))
        registry.makeGauge(descriptor: Self.name("active_runs", "", "Runs this server is executing."))
            .set(to: Double(await state.engine.activeRunIDs.count))
        return registry
    }

    private static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "vidflow", metricName: metric, unitName: unit, helpText: help)
    }
}
