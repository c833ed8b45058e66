import VidflowCore

/// A provider call that failed, with the provider, what was being done, and how a retry policy should treat it.
public struct ProviderError: Error, Sendable, Hashable, CustomStringConvertible {
    public var provider: String
    /// What was being done, e.g. `submit`, `status of job loc_1`.
    public var operation: String
    public var kind: ErrorKind
    public var message: String
    /// A provider hint (Retry-After) before trying again.
    public var retryAfterMs: Int?

    public init(provider: String, operation: String, kind: ErrorKind, message: String, retryAfterMs: Int? = nil) {
        self.provider = provider
        self.operation = operation
        self.kind = kind
        self.message = message
        self.retryAfterMs = retryAfterMs
    }

    public var description: String { "\(provider): \(operation) failed: \(message)" }

    /// The stage failure this error becomes.
    public func stageFailure(restartFrom: String? = nil) -> StageFailure {
        StageFailure(kind, description, retryAfterMs: retryAfterMs, restartFrom: restartFrom)
    }
}
