/// A stage type that creates paid external work (`StageContext.submitOnce`) and can stop it.
///
/// When a run is cancelled, the engine hands each such stage type the jobs it recorded for the run
/// (`WorkflowStore.externalJobs(ofRun:)`), whatever stage the run was in: a job submitted by a finished
/// `video.generate` whose `video.poll` had not started yet is stopped too. The engine calls it once per
/// cancelled execution, after every stage of the run has stopped.
public protocol ExternalJobCancelling: Stage {
    /// Stops those of `jobs` that are still going and returns one log line per job it acted on, keyed
    /// by the stage that recorded it. `stages` are the run's stages as they ended, for telling finished
    /// jobs from running ones.
    func cancelJobs(_ jobs: [ExternalJobRecord], stages: [StageRecord]) async -> [CancelledJobNote]
}

/// A line for the run's log about one job a cancelled run stopped (or could not stop).
public struct CancelledJobNote: Sendable, Hashable {
    /// The stage whose record the job is (its slot's stage: `generate` for `generate.2`).
    public var stageID: String
    public var message: String

    public init(stageID: String, message: String) {
        self.stageID = stageID
        self.message = message
    }
}
