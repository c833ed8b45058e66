import Foundation

/// How long provider jobs took before, per provider and model: what `video.poll` places its status
/// requests by. The store keeps it (SQLite: the last `JobDurationHistory.kept` durations of each provider
/// and model); the engine hands it to stages as `StageContext.jobDurations`.
///
/// ```swift
/// let submitted = try await history.firstSubmission(provider: "kling", externalID: jobID)
/// let seconds = try await history.recentJobDurations(provider: "kling", model: "kling-v2-6")
/// try await history.recordJobDuration(91.5, provider: "kling", model: "kling-v2-6", finishedAt: Date())
/// ```
public protocol JobDurationHistory: Sendable {
    /// The earliest submit record of the job `externalID` at `provider` (a retry that keeps a job records
    /// it again, later), or nil when vidflow has no record of it.
    func firstSubmission(provider: String, externalID: String) async throws -> ExternalJobRecord?
    /// The durations in seconds of the most recent succeeded jobs of `model` at `provider` (at most
    /// `JobDurationHistory.kept`), newest first. `model` is "" for the provider's default model.
    func recentJobDurations(provider: String, model: String) async throws -> [Double]
    /// Records that a job of `model` at `provider` succeeded `seconds` after its submit, dropping the
    /// oldest durations beyond `JobDurationHistory.kept` for that provider and model.
    func recordJobDuration(_ seconds: Double, provider: String, model: String, finishedAt: Date) async throws
}

extension JobDurationHistory {
    /// How many durations are kept per provider and model: enough for stable quantiles, recent enough
    /// to follow a model that got faster or slower.
    public static var kept: Int { 200 }
}
