import VidflowCore

/// A provider's answer to "how is job X doing?", in the unified vocabulary.
public struct VideoJobStatus: Sendable, Hashable {
    /// Where a job is in its life.
    public enum State: String, Sendable, Hashable, Codable {
        case queued, running, succeeded, failed, cancelled

        public var isTerminal: Bool { self == .succeeded || self == .failed || self == .cancelled }
    }

    public var state: State
    /// 0–100 when the provider reports it.
    public var progress: Int?
    /// Set when `state` is `succeeded`.
    public var result: ResultLocation?
    /// Further videos of the same job (`num_outputs` > 1), after `result`.
    public var additionalResults: [ResultLocation] = []
    /// Why the job failed or was cancelled, in the provider's words.
    public var errorMessage: String?
    /// How the failure should be treated (`provider_failed`, `rejected_content`, ...).
    public var errorKind: ErrorKind?
    /// The provider's suggested wait before the next poll, in milliseconds.
    public var pollAfterMs: Int?
    /// What the job cost, in the provider's terms (Runway `cost`, Kling `final_unit_deduction`, ...).
    public var cost: JSONValue?

    public init(state: State, progress: Int? = nil, result: ResultLocation? = nil, errorMessage: String? = nil,
                errorKind: ErrorKind? = nil, pollAfterMs: Int? = nil, cost: JSONValue? = nil) {
        self.state = state
        self.progress = progress
        self.result = result
        self.errorMessage = errorMessage
        self.errorKind = errorKind
        self.pollAfterMs = pollAfterMs
        self.cost = cost
    }
}
