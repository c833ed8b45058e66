import Foundation
import Logging
import Metrics
import Synchronization
import VidflowCore

/// The engine's metrics and its stage-transition log lines, made with the swift-metrics factory of
/// `EngineConfiguration.metricsFactory` (the global one when nil: a no-op unless the process bootstrapped one).
///
/// Every label value is bounded: stage types come from the registry, outcomes and failure kinds are
/// enums, pool names pass through `BoundedLabels`; run and stage ids appear only in log lines.
///
/// ```swift
/// let metrics = EngineMetrics(factory: PrometheusMetricsFactory(registry: registry), logger: logger)
/// metrics.observe(committed: batch, runID: "r1", attemptStartedAt: [:])
/// ```
struct EngineMetrics: Sendable {
    static let stageDuration = "vidflow_stage_duration_seconds"
    static let stageRetries = "vidflow_stage_retries_total"
    static let poolQueued = "vidflow_pool_queued_stages"
    static let poolRunning = "vidflow_pool_running_stages"
    static let providerSpend = "vidflow_provider_spend_total"

    let factory: any MetricsFactory
    let logger: Logger
    private let pools = BoundedLabels(limit: 64)
    private let providers = BoundedLabels(limit: 64)
    private let poolMeters = MeterCache()

    init(factory: (any MetricsFactory)?, logger: Logger) {
        self.factory = factory ?? MetricsSystem.factory
        self.logger = logger
    }

    /// Logs every stage transition of a committed batch at info and records the durations of stages that
    /// ran and ended (from their first start to their end: retries and their waits included).
    func observe(committed batch: StoreBatch, runID: String, attemptStartedAt: [String: Date]) {
        let logs = logger.logLevel <= .info
        for stage in batch.stages {
            if logs { logTransition(stage, runID: runID, attemptStartedAt: attemptStartedAt) }
            guard [.completed, .failed, .cancelled].contains(stage.status), let started = stage.startedAt,
                  let ended = stage.endedAt else { continue }
            Timer(label: Self.stageDuration, dimensions: [("type", stage.type), ("outcome", stage.status.rawValue)],
                  factory: factory).record(max(0, ended.timeIntervalSince(started)))
            if stage.status == .completed { spent(stage.output ?? [:]) }
        }
        for update in batch.runUpdates where logs {
            logger.info("run \(update.runID) \(update.status.rawValue)",
                        metadata: ["run": "\(update.runID)", "status": "\(update.status.rawValue)"])
        }
    }

    /// One line: run, stage, type, attempt, status, and for an ended attempt its duration.
    private func logTransition(_ stage: StageRecord, runID: String, attemptStartedAt: [String: Date]) {
        var metadata: Logger.Metadata = [
            "run": "\(runID)", "stage": "\(stage.stageID)", "type": "\(stage.type)",
            "attempt": "\(stage.attempts)", "status": "\(stage.status.rawValue)",
        ]
        if let ended = stage.endedAt, let started = attemptStartedAt[stage.stageID] ?? stage.startedAt {
            metadata["duration_ms"] = "\(Self.milliseconds(ended.timeIntervalSince(started)))"
        }
        if let failure = stage.error, stage.status == .failed || stage.status == .queued {
            metadata["error_kind"] = "\(failure.kind.rawValue)"
        }
        logger.info("stage \(stage.stageID) \(stage.status.rawValue)", metadata: metadata)
    }

    /// What a completed stage says its provider job cost (`video.poll`'s `cost` and `provider` outputs), when
    /// the cost is a number, in the provider's own unit (Runway credits, Kling units, ...); costs given as
    /// objects (DashScope usage, Replicate metrics) are not summed.
    private func spent(_ outputs: [String: JSONValue]) {
        guard let provider = outputs["provider"]?.stringValue else { return }
        let amount: Double?
        switch outputs["cost"] {
        case .int(let value)?: amount = Double(value)
        case .double(let value)?: amount = value
        case .string(let text)?: amount = Double(text.trimmingCharacters(in: .whitespaces))
        default: amount = nil
        }
        guard let amount, amount.isFinite, amount > 0 else { return }
        FloatingPointCounter(label: Self.providerSpend, dimensions: [("provider", providers.label(for: provider))],
                             factory: factory).increment(by: amount)
    }

    /// A failed attempt that will be tried again after its backoff.
    func stageRetried(type: String, kind: ErrorKind) {
        Counter(label: Self.stageRetries, dimensions: [("type", type), ("kind", kind.rawValue)], factory: factory).increment()
    }

    /// Stages waiting for a slot of `pool` (nil: the global limit only) change by `delta`.
    func queued(_ pool: String?, _ delta: Double) {
        gauge(Self.poolQueued, pool, delta)
    }

    /// Stages holding a slot of `pool` change by `delta`.
    func running(_ pool: String?, _ delta: Double) {
        gauge(Self.poolRunning, pool, delta)
    }

    private func gauge(_ label: String, _ pool: String?, _ delta: Double) {
        let meter = poolMeters.meter(label, pool: pool ?? "none") { [pools, factory] label, pool in
            Meter(label: label, dimensions: [("pool", pools.label(for: pool))], factory: factory)
        }
        if delta >= 0 { meter.increment(by: delta) } else { meter.decrement(by: -delta) }
    }

    static func milliseconds(_ seconds: TimeInterval) -> Int { Int((max(0, seconds) * 1000).rounded()) }
}

/// Keeps a label's values bounded whatever the input: the first `limit` distinct values made of
/// `[A-Za-z0-9_.:-]` (at most 64 characters) are kept as they are, anything else is `other`.
/// Pool names come from workflow definitions, which users write.
final class BoundedLabels: Sendable {
    private let limit: Int
    private let seen = Mutex<Set<String>>([])

    init(limit: Int) {
        self.limit = limit
    }

    func label(for value: String) -> String {
        let allowed = value.utf8.count <= 64 && !value.isEmpty && value.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "_.:-".unicodeScalars.contains(scalar))
        }
        guard allowed else { return "other" }
        return seen.withLock { seen in
            if seen.contains(value) { return value }
            guard seen.count < limit else { return "other" }
            seen.insert(value)
            return value
        }
    }
}

/// The per-pool gauges, made once: every slot taken or given back updates one, so looking them up in the
/// factory each time would sit on the engine's hot path. Holds at most `limit` (the labels are bounded too).
final class MeterCache: Sendable {
    private let limit = 256
    private let meters = Mutex<[String: Meter]>([:])

    func meter(_ label: String, pool: String, make: (String, String) -> Meter) -> Meter {
        let key = label + "\u{1F}" + pool
        if let found = meters.withLock({ $0[key] }) { return found }
        let made = make(label, pool)
        meters.withLock { cache in
            if cache.count < limit { cache[key] = made }
        }
        return made
    }
}
