import Foundation
import Metrics
import VidflowCore

/// Tuning for an `Engine`: where its files live, how much runs at once, how it watches its runs.
public struct EngineConfiguration: Sendable {
    /// The data directory: stage state and artifacts live under it.
    public var dataDirectory: String
    /// Stages running at once across all runs of this process.
    public var maxConcurrency: Int
    /// Limits of named pools; pools not listed get `defaultPoolLimit`.
    public var poolLimits: [String: Int]
    public var defaultPoolLimit: Int
    /// How often the engine proves it is alive, and checks for cancel requests from other processes.
    public var heartbeatInterval: Duration
    public var cancelPollInterval: Duration
    /// A run whose owner has been silent this long is taken over by `recover()`.
    public var staleAfter: TimeInterval
    /// Progress events closer together than this are dropped (the last one always kept).
    public var progressInterval: TimeInterval
    /// Which addresses user-given URLs may reach (stages see it as `context.urlPolicy`): any by default
    /// (the CLI and embedders are the operator); the server passes `OutboundURLPolicy.publicOnly` unless told otherwise.
    public var urlPolicy: OutboundURLPolicy = .unrestricted
    /// Where the engine's metrics go (stage durations, retries, pool queues) and, bound as the task-local
    /// factory while a stage runs, the metrics of what the stage calls (provider requests); nil: the global
    /// `MetricsSystem.factory` (a no-op unless the process bootstrapped one). `vidflow serve` passes its registry's.
    public var metricsFactory: (any MetricsFactory)?

    public init(dataDirectory: String, maxConcurrency: Int = 8, poolLimits: [String: Int] = [:], defaultPoolLimit: Int = 3,
                heartbeatInterval: Duration = .seconds(2), cancelPollInterval: Duration = .milliseconds(250),
                staleAfter: TimeInterval = 15, progressInterval: TimeInterval = 0.1) {
        self.dataDirectory = dataDirectory
        self.maxConcurrency = maxConcurrency
        self.poolLimits = poolLimits
        self.defaultPoolLimit = defaultPoolLimit
        self.heartbeatInterval = heartbeatInterval
        self.cancelPollInterval = cancelPollInterval
        self.staleAfter = staleAfter
        self.progressInterval = progressInterval
    }
}

/// Who owns a run: this host, this process, this engine instance. Lets recovery tell a dead owner on
/// the same host at once, without waiting for its heartbeat to go stale.
public enum OwnerIdentity {
    public static func make() -> String {
        "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8))"
    }

    /// True when `owner` names a process on this host that no longer exists.
    public static func isGone(_ owner: String) -> Bool {
        let parts = owner.split(separator: ":")
        guard parts.count == 3, String(parts[0]) == ProcessInfo.processInfo.hostName, let pid = Int32(parts[1]) else {
            return false
        }
        if pid == ProcessInfo.processInfo.processIdentifier { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}
