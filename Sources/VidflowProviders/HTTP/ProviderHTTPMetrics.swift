import Foundation
import Metrics

/// The metrics of the requests vidflow sends to providers, recorded through swift-metrics with
/// `MetricsSystem.factory`: the task-local factory the engine binds while a stage runs (and the server
/// while it answers a request), else the global one (a no-op unless the process bootstrapped one).
///
/// Label values are bounded: provider names are configured, operations are reduced to a fixed set of
/// verbs (`operation(of:)`), status codes are numbers or `none` (no answer). No job id ever becomes a label.
///
/// ```swift
/// ProviderHTTPMetrics.answered(request, provider: "runway", status: 429, since: sent)
/// ```
public enum ProviderHTTPMetrics {
    public static let requests = "vidflow_provider_http_requests_total"
    public static let duration = "vidflow_provider_request_duration_seconds"
    public static let retries = "vidflow_provider_retries_total"
    public static let rateLimitWaits = "vidflow_provider_rate_limit_waits_total"
    public static let rateLimitWaitSeconds = "vidflow_provider_rate_limit_wait_seconds_total"

    /// The verbs `operation(of:)` keeps; anything else is `other`.
    static let operations: Set<String> = [
        "submit", "create", "status", "result", "cancel", "upload", "declare", "download", "read", "look",
        "test", "fetch", "remix", "verify", "callback", "transcribe", "diarize",
    ]

    /// One request answered (`status`), or sent without a complete answer (nil), `since` it was sent.
    static func answered(_ request: ProviderHTTPRequest, provider: String, status: Int?, since sent: ContinuousClock.Instant) {
        let operation = operation(of: request)
        let code = status.map { (100...599).contains($0) ? String($0) : "other" } ?? "none"
        Counter(label: requests, dimensions: [("provider", provider), ("operation", operation), ("status_code", code)]).increment()
        Timer(label: duration, dimensions: [("provider", provider), ("operation", operation)])
            .record(duration: sent.duration(to: .now))
    }

    /// A request tried again: with the next key (`next_key`), or after a wait for an error of this kind.
    static func retried(provider: String, reason: String) {
        Counter(label: retries, dimensions: [("provider", provider), ("reason", reason)]).increment()
    }

    /// A request that waited for the requests-per-minute limiter.
    static func rateLimited(provider: String, waited: Duration) {
        Counter(label: rateLimitWaits, dimensions: [("provider", provider)]).increment()
        let seconds = Double(waited.components.seconds) + Double(waited.components.attoseconds) / 1e18
        FloatingPointCounter(label: rateLimitWaitSeconds, dimensions: [("provider", provider)]).increment(by: seconds)
    }

    /// The bounded label of a request's operation: `create` for a paid create, else the first word of its
    /// description when it is a known verb (`status of job abc` → `status`), else `other`.
    static func operation(of request: ProviderHTTPRequest) -> String {
        if request.isCreate { return "create" }
        let verb = request.operation.split(separator: " ", maxSplits: 1).first.map { $0.lowercased() } ?? ""
        return operations.contains(verb) ? verb : "other"
    }
}
