/// Where a stage is in its life. Terminal: completed, failed, skipped, cancelled.
public enum StageStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pending, queued, running, completed, failed, skipped, cancelled

    public var isTerminal: Bool { [.completed, .failed, .skipped, .cancelled].contains(self) }
}

/// Something that happens to a stage; `StageStatus.applying(_:)` says where it leads.
public enum StageEvent: String, Sendable, Hashable, Codable {
    /// Its needs are met: wait for a concurrency slot.
    case enqueue
    /// A slot was granted and an attempt begins.
    case start
    case complete
    case fail
    /// The attempt failed but the policy allows another: wait for the backoff, then a slot.
    case retry
    /// The process died during the attempt: it goes back to the queue, the attempt not held against it.
    case interrupt
    /// An upstream stage failed or was skipped, or its `if` was false.
    case skip
    case cancel
    /// The planner took a completed stage of a base run instead of running it.
    case reuse
}

/// An impossible move, e.g. completing a stage that never started.
public struct TransitionError: Error, Sendable, Hashable, CustomStringConvertible {
    public var from: String
    public var event: String
    public var description: String { "illegal transition: cannot \(event) from \(from)" }
}

extension StageStatus {
    /// The status after `event`, or a `TransitionError` when the move is illegal.
    public func applying(_ event: StageEvent) throws(TransitionError) -> StageStatus {
        switch (self, event) {
        case (.pending, .enqueue): return .queued
        case (.pending, .reuse): return .completed
        case (.pending, .skip), (.queued, .skip): return .skipped
        case (.pending, .cancel), (.queued, .cancel), (.running, .cancel): return .cancelled
        case (.queued, .start): return .running
        case (.running, .complete): return .completed
        case (.running, .fail): return .failed
        case (.running, .retry), (.running, .interrupt): return .queued
        default: throw TransitionError(from: rawValue, event: event.rawValue)
        }
    }
}

/// Where a run is in its life. Terminal: completed, failed, cancelled.
public enum RunStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pending, running, completed, failed, cancelled

    public var isTerminal: Bool { [.completed, .failed, .cancelled].contains(self) }
}

/// Something that happens to a run.
public enum RunEvent: String, Sendable, Hashable, Codable {
    case start, complete, fail, cancel
}

extension RunStatus {
    /// The status after `event`, or a `TransitionError` when the move is illegal.
    public func applying(_ event: RunEvent) throws(TransitionError) -> RunStatus {
        switch (self, event) {
        case (.pending, .start): return .running
        case (.running, .start): return .running
        case (.running, .complete), (.pending, .complete): return .completed
        case (.running, .fail), (.pending, .fail): return .failed
        case (.pending, .cancel), (.running, .cancel): return .cancelled
        default: throw TransitionError(from: rawValue, event: event.rawValue)
        }
    }
}

/// How a run came about: everything, the failed rest of a base run, or what changed since a base run.
public enum ExecutionMode: String, Sendable, Hashable, Codable, CaseIterable {
    case full, retry, incremental
}
