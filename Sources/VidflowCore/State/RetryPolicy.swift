/// How often and how patiently a stage is retried: exponential backoff with full jitter.
///
/// The delay before attempt `n + 1` is uniform in `0...min(maxInterval, initial * multiplier^(n-1))`
/// ("full jitter"), so retries from many runs do not stampede a provider at the same instant.
public struct RetryPolicy: Sendable, Hashable, Codable {
    /// Total attempts, the first one included (1 = no retry).
    public var maxAttempts: Int
    public var initialIntervalMs: Int
    public var maxIntervalMs: Int
    public var multiplier: Double
    /// Error kinds that fail the stage at once, whatever attempts are left.
    public var nonRetryable: Set<ErrorKind>

    public init(maxAttempts: Int = 3, initialIntervalMs: Int = 1_000, maxIntervalMs: Int = 60_000,
                multiplier: Double = 2, nonRetryable: Set<ErrorKind> = ErrorKind.permanent) {
        self.maxAttempts = maxAttempts
        self.initialIntervalMs = initialIntervalMs
        self.maxIntervalMs = maxIntervalMs
        self.multiplier = multiplier
        self.nonRetryable = nonRetryable
    }

    public static let `default` = RetryPolicy()

    /// The largest delay full jitter may pick after the given (1-based) failed attempt.
    public func ceilingMs(afterAttempt attempt: Int) -> Int {
        let exponent = Double(max(0, attempt - 1))
        var ceiling = Double(initialIntervalMs)
        for _ in 0..<Int(min(exponent, 64)) {
            ceiling *= multiplier
            if ceiling >= Double(maxIntervalMs) { break }
        }
        return Int(min(ceiling, Double(maxIntervalMs)))
    }

    /// A jittered delay after the given failed attempt; `hintMs` (a provider's Retry-After) is a floor.
    public func delayMs(afterAttempt attempt: Int, hintMs: Int? = nil,
                        using generator: inout some RandomNumberGenerator) -> Int {
        let ceiling = ceilingMs(afterAttempt: attempt)
        let jittered = ceiling > 0 ? Int.random(in: 0...ceiling, using: &generator) : 0
        return max(jittered, hintMs ?? 0)
    }

    public func delayMs(afterAttempt attempt: Int, hintMs: Int? = nil) -> Int {
        var generator = SystemRandomNumberGenerator()
        return delayMs(afterAttempt: attempt, hintMs: hintMs, using: &generator)
    }

    /// Whether a failure of this kind on this (1-based) attempt earns another attempt.
    public func shouldRetry(_ kind: ErrorKind, afterAttempt attempt: Int) -> Bool {
        kind.isRetryable && !nonRetryable.contains(kind) && attempt < maxAttempts
    }
}

/// What went wrong in a stage attempt, in words a retry policy can act on.
public struct ErrorKind: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public static let invalidInput = ErrorKind("invalid_input")
    public static let rejectedContent = ErrorKind("rejected_content")
    public static let auth = ErrorKind("auth")
    public static let timeout = ErrorKind("timeout")
    public static let transient = ErrorKind("transient")
    public static let rateLimited = ErrorKind("rate_limited")
    /// The provider's job failed or its result is gone: re-running the same stage cannot help, so it is
    /// not retried in the run; `vidflow retry` restarts from the stage that created the job (`restartFrom`).
    public static let providerFailed = ErrorKind("provider_failed")
    public static let cancelled = ErrorKind("cancelled")
    public static let internalError = ErrorKind("internal")
    /// Process died mid-attempt; recovery resumes the stage without counting it as a failure.
    public static let interrupted = ErrorKind("interrupted")

    /// Kinds that never succeed on a plain retry: the default `nonRetryable` set.
    public static let permanent: Set<ErrorKind> = [.invalidInput, .rejectedContent, .auth, .providerFailed]

    /// Cancellation is never retried whatever the policy says.
    public var isRetryable: Bool { self != .cancelled }
    public var description: String { rawValue }
}

/// The error a stage throws to say how it failed; any other error counts as `internal`.
public struct StageFailure: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    public var kind: ErrorKind
    public var message: String
    /// A server-suggested wait before retrying (e.g. from `Retry-After`).
    public var retryAfterMs: Int?
    /// An upstream stage a later `retry` must run again (e.g. the one that created a job that failed remotely).
    public var restartFrom: String?

    public init(_ kind: ErrorKind, _ message: String, retryAfterMs: Int? = nil, restartFrom: String? = nil) {
        self.kind = kind
        self.message = message
        self.retryAfterMs = retryAfterMs
        self.restartFrom = restartFrom
    }

    public var description: String { "\(kind): \(message)" }
}
