import Foundation

/// Durable state of runs, stages, attempts, paid jobs and events. SQLite today, PostgreSQL later.
///
/// Writes arrive as `StoreBatch`es; an implementation commits each batch atomically and may
/// group concurrent batches into one transaction. A batch is durable when `commit` returns.
public protocol WorkflowStore: Sendable {
    /// Creates a run with its planned stages, atomically. Throws `StoreError.conflict` when the base
    /// run is still active or another retry/rerun of it is; returns the existing run id for a reused
    /// idempotency key. `owner` (an engine) owns the run from the start, so nobody recovers it meanwhile.
    func createRun(_ run: RunRecord, stages: [StageRecord], events: [NewEvent], owner: String?) async throws -> String
    func commit(_ batch: StoreBatch) async throws

    func run(_ id: String) async throws -> RunRecord?
    func stages(of runID: String) async throws -> [StageRecord]
    func attempts(of runID: String) async throws -> [AttemptRecord]
    func runs(status: RunStatus?, limit: Int, createdBefore: Date?) async throws -> [RunRecord]
    func events(runID: String?, after: Int64, limit: Int) async throws -> [EventRecord]
    func externalJob(runID: String, stageID: String) async throws -> ExternalJobRecord?

    /// Marks a run for cancellation; its owner (or `claimOrphans`) acts on it.
    func requestCancel(_ runID: String) async throws
    func isCancelRequested(_ runID: String) async throws -> Bool
    /// Those of `runIDs` (runs an engine is executing) whose cancel was requested: one query per call,
    /// however many runs, for an engine watching for cancels made by other processes.
    func cancelRequested(among runIDs: [String]) async throws -> Set<String>
    /// Every paid-job record of a run (each slot of each stage), for stopping them when it is cancelled.
    func externalJobs(ofRun runID: String) async throws -> [ExternalJobRecord]
    /// Takes ownership of non-terminal runs whose owner is gone (`isOwnerGone`) or silent since `staleBefore`.
    func claimOrphans(owner: String, staleBefore: Date, isOwnerGone: @Sendable (String) -> Bool) async throws -> [String]
    /// Takes ownership of one run (a new one, or one handed over).
    func claim(_ runID: String, owner: String) async throws -> Bool
    func heartbeat(owner: String) async throws
    func release(_ runID: String, owner: String) async throws
}

extension WorkflowStore {
    /// One `isCancelRequested` per run; stores answer with one query instead.
    public func cancelRequested(among runIDs: [String]) async throws -> Set<String> {
        var requested: Set<String> = []
        for id in runIDs where try await isCancelRequested(id) { requested.insert(id) }
        return requested
    }

    /// The records of the run's stages' slots, found one by one (`ExternalJobSlot`: a stage's own, then
    /// `<stage>.2`, … while they exist); stores answer with one query instead.
    public func externalJobs(ofRun runID: String) async throws -> [ExternalJobRecord] {
        var jobs: [ExternalJobRecord] = []
        for stage in try await stages(of: runID) {
            var output = 0
            while let job = try await externalJob(runID: runID, stageID: ExternalJobSlot.stageID(stage.stageID, output: output)) {
                jobs.append(job)
                output += 1
            }
        }
        return jobs
    }
}

/// Writes that belong together: committed in one transaction.
public struct StoreBatch: Sendable {
    public var runUpdates: [RunUpdate] = []
    public var stages: [StageRecord] = []
    public var attempts: [AttemptRecord] = []
    public var jobs: [ExternalJobRecord] = []
    /// Job intents to forget (run id, stage id): their submit certainly created nothing.
    public var discardedJobs: [ExternalJobKey] = []
    /// Progress of running stages. Only the progress column is written, and only while the stage is
    /// still running, so a report committed after the stage ended cannot undo its end.
    public var progress: [StageProgress] = []
    public var events: [NewEvent] = []

    public init() {}

    public var isEmpty: Bool {
        runUpdates.isEmpty && stages.isEmpty && attempts.isEmpty && jobs.isEmpty && discardedJobs.isEmpty
            && progress.isEmpty && events.isEmpty
    }

    public mutating func append(_ other: StoreBatch) {
        runUpdates += other.runUpdates
        stages += other.stages
        attempts += other.attempts
        jobs += other.jobs
        discardedJobs += other.discardedJobs
        progress += other.progress
        events += other.events
    }
}

/// A change of a run's status; other run fields are never rewritten by the engine.
public struct RunUpdate: Sendable, Hashable {
    public var runID: String
    public var status: RunStatus
    public var error: StageFailure?
    public var startedAt: Date?
    public var endedAt: Date?

    public init(runID: String, status: RunStatus, error: StageFailure? = nil, startedAt: Date? = nil, endedAt: Date? = nil) {
        self.runID = runID
        self.status = status
        self.error = error
        self.startedAt = startedAt
        self.endedAt = endedAt
    }
}

/// A store operation refused for a reason the caller should show.
public enum StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    case runNotFound(String)
    case conflict(String)
    case corrupt(String)

    public var description: String {
        switch self {
        case .runNotFound(let id): "no run with id '\(id)'"
        case .conflict(let message): message
        case .corrupt(let message): "stored data is unreadable: \(message)"
        }
    }
}

/// Names one stage's external job record.
public struct ExternalJobKey: Sendable, Hashable {
    public var runID: String
    public var stageID: String

    public init(runID: String, stageID: String) {
        self.runID = runID
        self.stageID = stageID
    }
}

/// A running stage's progress, 0–100.
public struct StageProgress: Sendable, Hashable {
    public var runID: String
    public var stageID: String
    public var percent: Int

    public init(runID: String, stageID: String, percent: Int) {
        self.runID = runID
        self.stageID = stageID
        self.percent = percent
    }
}
