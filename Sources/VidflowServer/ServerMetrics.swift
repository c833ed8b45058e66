import Foundation
import Metrics
import Prometheus

/// One server's metrics: a Prometheus registry and the swift-metrics factory that fills it, handed to
/// the engine (`EngineConfiguration.metricsFactory`), to the webhook sender and the SSE streams, and bound
/// as the task-local factory while a request is answered (Hummingbird's `MetricsMiddleware` and provider
/// requests made by handlers record through it).
///
/// Each server owns its registry rather than bootstrapping `MetricsSystem` globally: several servers
/// (tests build many in one process) never share or double-count series, and nothing global can be
/// bootstrapped twice. Hummingbird's metric names are renamed to vidflow's (`hb.requests` →
/// `vidflow_http_requests_total`, `http.route` → `route`).
///
/// ```swift
/// let metrics = ServerMetrics()
/// Counter(label: "vidflow_webhook_deliveries_total", dimensions: [("outcome", "delivered")], factory: metrics.factory).increment()
/// let text = metrics.registry.emitToString()
/// ```
struct ServerMetrics: Sendable {
    static let webhookDeliveries = "vidflow_webhook_deliveries_total"
    static let sseClients = "vidflow_sse_clients"

    let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory

    init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Stages last from milliseconds (ffmpeg on a short clip) to many minutes (a provider's video job).
        let stageBuckets: [Duration] = [.milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                                        .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
                                        .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(600),
                                        .seconds(1200), .seconds(1800), .seconds(3600)]
        let providerBuckets: [Duration] = [.milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                                           .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
                                           .seconds(30), .seconds(60), .seconds(120)]
        factory.durationHistogramBuckets = [
            "vidflow_stage_duration_seconds": stageBuckets,
            "vidflow_provider_request_duration_seconds": providerBuckets,
        ]
        factory.nameAndLabelSanitizer = { name, labels in
            (Self.hummingbirdNames[name] ?? name, labels.map { (Self.hummingbirdLabels[$0.0] ?? $0.0, $0.1) })
        }
        self.factory = factory
        sseClients.set(0)   // shown at 0 before the first stream
    }

    /// Hummingbird's `MetricsMiddleware` names, as vidflow exposes them.
    static let hummingbirdNames = [
        "hb.requests": "vidflow_http_requests_total",
        "hb.request.errors": "vidflow_http_request_errors_total",
        "http.server.request.duration": "vidflow_http_request_duration_seconds",
        "http.server.active_requests": "vidflow_http_active_requests",
    ]
    static let hummingbirdLabels = [
        "http.route": "route", "http.request.method": "method", "http.response.status_code": "status",
        "error.type": "status",
    ]

    /// A webhook delivery attempt ended: `delivered`, `retrying` (another attempt is due), `failed` (no
    /// more attempts), or `refused` (the receiver's address is not allowed).
    func webhookDelivered(outcome: String) {
        Counter(label: Self.webhookDeliveries, dimensions: [("outcome", outcome)], factory: factory).increment()
    }

    /// The gauge of open Server-Sent Events streams.
    var sseClients: Meter { Meter(label: Self.sseClients, factory: factory) }
}
