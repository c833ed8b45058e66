import Hummingbird
import VidflowCore

/// `GET /api/v1/monitoring/timeout/config`: default stage timeout and retry policy, and the server's,
/// the engine's and the webhooks' deadlines, all in milliseconds.
struct TimeoutConfig: ResponseEncodable, Sendable {
    var stage: Stage
    var server: Server
    var engine: Engine
    var webhook: Webhook

    /// What a stage gets unless its workflow sets its own.
    struct Stage: Encodable, Sendable {
        @Nullable var timeoutMs: Int?
        var retry: Retry
    }

    /// A retry policy under the names a workflow's `retry:` mapping uses.
    struct Retry: Encodable, Sendable {
        var maxAttempts: Int
        var initialIntervalMs: Int
        var maxIntervalMs: Int
        var multiplier: Double
        var nonRetryable: [String]

        init(_ policy: RetryPolicy) {
            maxAttempts = policy.maxAttempts
            initialIntervalMs = policy.initialIntervalMs
            maxIntervalMs = policy.maxIntervalMs
            multiplier = policy.multiplier
            nonRetryable = policy.nonRetryable.map(\.rawValue).sorted()
        }
    }

    /// The server's own deadlines.
    struct Server: Encodable, Sendable {
        var requestTimeoutMs: Int
        var uploadTimeoutMs: Int
        var drainTimeoutMs: Int
    }

    /// How the engine notices dead workers and cancellations.
    struct Engine: Encodable, Sendable {
        var heartbeatIntervalMs: Int
        var staleAfterMs: Int
        var cancelPollIntervalMs: Int
    }

    /// Waits between webhook delivery attempts.
    struct Webhook: Encodable, Sendable {
        var retryBackoffMs: [Int]
    }
}
