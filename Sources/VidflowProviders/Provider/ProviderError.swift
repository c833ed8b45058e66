import VidflowCore

/// A provider call that failed, with the provider, what was being done, and how a retry policy should treat it.
public struct ProviderError: Error, Sendable, Hashable, CustomStringConvertible, SubmitOutcomeError {
    public var provider: String
    /// What was being done, e.g. `submit`, `status of job loc_1`.
    public var operation: String
    public var kind: ErrorKind
    /// The provider's words, with configured keys and anything shaped like a secret removed (`SecretScrubber`).
    public var message: String
    /// A provider hint (Retry-After) before trying again.
    public var retryAfterMs: Int?
    /// The HTTP status the provider answered with, when it answered.
    public var httpStatus: Int?
    /// True when a submit certainly created no job: the provider answered with an error, or the
    /// request never left. False when the answer was lost (a timeout after sending, a broken body).
    public var jobCertainlyNotCreated: Bool
    /// A callback failed verification in a way fresh keys could fix (no key matched, none loaded yet),
    /// as opposed to a malformed delivery (no signature headers), which is refused without any fetch.
    public var freshKeysMayHelp = false

    public init(provider: String, operation: String, kind: ErrorKind, message: String, retryAfterMs: Int? = nil,
                httpStatus: Int? = nil, jobCertainlyNotCreated: Bool = false) {
        self.provider = provider
        self.operation = operation
        self.kind = kind
        // The one place every provider error's text passes: providers echo keys ("Incorrect API key provided: sk-…").
        self.message = SecretScrubber.scrub(message)
        self.retryAfterMs = retryAfterMs
        self.httpStatus = httpStatus
        self.jobCertainlyNotCreated = jobCertainlyNotCreated
    }

    public var description: String { "\(provider): \(operation) failed: \(message)" }

    /// Whether trying the next provider of a failover list makes sense after this error.
    public var allowsFailover: Bool {
        jobCertainlyNotCreated && kind != .rejectedContent
    }

    /// The stage failure this error becomes.
    public func stageFailure(restartFrom: String? = nil) -> StageFailure {
        StageFailure(kind, description, retryAfterMs: retryAfterMs, restartFrom: restartFrom)
    }
}
