import Foundation
import Hummingbird
import VidflowProviders

/// `GET /metrics`: Prometheus text format — runs and stages by status, stage durations, queue depth.
struct MetricsController {
    let state: ServerState

    func addRoutes(to router: Router<ServerRequestContext>) {
        router.get("/metrics", use: metrics)
    }

    @Sendable func metrics(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let user = try context.requireUser()
        guard user.isAdmin else { throw APIError(.forbidden, code: "forbidden", "metrics are for administrators") }
        let counts = try await state.store.statusCounts()
        let durations = try await state.store.stageDurations()
        let jobs = try await state.store.providerJobCounts()
        var lines: [String] = []
        lines.append("# HELP vidflow_runs Runs by status.")
        lines.append("# TYPE vidflow_runs gauge")
        for (status, count) in counts.runs.sorted(by: { $0.key < $1.key }) { lines.append("vidflow_runs{status=\"\(status)\"} \(count)") }
        lines.append("# HELP vidflow_stages Stages by status.")
        lines.append("# TYPE vidflow_stages gauge")
        for (status, count) in counts.stages.sorted(by: { $0.key < $1.key }) { lines.append("vidflow_stages{status=\"\(status)\"} \(count)") }
        lines.append("# HELP vidflow_stage_duration_seconds Durations of finished stages by type.")
        lines.append("# TYPE vidflow_stage_duration_seconds summary")
        for entry in durations {
            lines.append("vidflow_stage_duration_seconds_sum{type=\"\(entry.type)\"} \(entry.sum)")
            lines.append("vidflow_stage_duration_seconds_count{type=\"\(entry.type)\"} \(entry.count)")
        }
        lines.append("# HELP vidflow_provider_requests_total Paid provider jobs submitted, and those without an external id.")
        lines.append("# TYPE vidflow_provider_requests_total counter")
        for entry in jobs {
            lines.append("vidflow_provider_requests_total{provider=\"\(entry.provider)\"} \(entry.total)")
            lines.append("vidflow_provider_errors_total{provider=\"\(entry.provider)\"} \(entry.unsubmitted)")
        }
        lines.append("# HELP vidflow_provider_http_requests_total HTTP requests sent to providers by this process, by outcome.")
        lines.append("# TYPE vidflow_provider_http_requests_total counter")
        for (provider, outcomes) in ProviderRequestStats.shared.snapshot.sorted(by: { $0.key < $1.key }) {
            for (outcome, count) in outcomes.sorted(by: { $0.key < $1.key }) {
                lines.append("vidflow_provider_http_requests_total{provider=\"\(provider)\",outcome=\"\(outcome)\"} \(count)")
            }
        }
        lines.append("# HELP vidflow_queue_depth Stages waiting for a concurrency slot.")
        lines.append("# TYPE vidflow_queue_depth gauge")
        lines.append("vidflow_queue_depth \(state.engine.queueDepth)")
        lines.append("# HELP vidflow_active_runs Runs this server is executing.")
        lines.append("# TYPE vidflow_active_runs gauge")
        lines.append("vidflow_active_runs \(await state.engine.activeRunIDs.count)")
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: lines.joined(separator: "\n") + "\n")))
    }
}
