import Foundation
import VidflowCore

/// One polled job's place in the duration history (`StageContext.jobDurations`): when it was submitted,
/// for which model, and how long that model's earlier jobs at its provider took. `video.poll` builds the
/// job's `HistoryPollSchedule` from it and records the job's own duration when it succeeds.
///
/// ```swift
/// let history = await JobPollHistory.load(jobID: id, provider: "kling", context: context)
/// var schedule = history.schedule(base: PollSchedule(), callbacks: false)
/// // … poll until it succeeds …
/// await history.recordSuccess(sawUnfinished: true)
/// ```
struct JobPollHistory: Sendable {
    let store: (any JobDurationHistory)?
    let provider: String
    /// The requested model; "" for the provider's default.
    let model: String
    /// When the job was submitted; nil when vidflow has no record of it, or only a retry's that kept it.
    let submittedAt: Date?
    /// When this poll started.
    let startedAt: Date
    /// Seconds earlier jobs of `model` at `provider` took, newest first.
    let durations: [Double]

    /// A poll starting later than this after the submit (a slot came late, a crash recovery) may see an
    /// already finished job long after it ended, so it records the job's duration only if it saw it unfinished.
    static let promptStart: TimeInterval = 5

    /// No history: the schedule is `PollSchedule`'s, and nothing is recorded.
    static func none(provider: String) -> JobPollHistory {
        JobPollHistory(store: nil, provider: provider, model: "", submittedAt: nil, startedAt: Date(), durations: [])
    }

    /// Looks the job's submit record and its model's durations up; none when the context keeps no
    /// history or has no record of the job. A store error only costs the history, never the poll.
    static func load(jobID: String, provider: String, context: any StageContext) async -> JobPollHistory {
        let startedAt = Date()
        guard let store = context.jobDurations,
              let record = try? await store.firstSubmission(provider: provider, externalID: jobID),
              let submittedAt = record.submittedAt, record.request["kept_from"] == nil else {
            return .none(provider: provider)
        }
        let model = record.request["unified"]?["model"]?.stringValue ?? ""
        let durations = (try? await store.recentJobDurations(provider: provider, model: model)) ?? []
        return JobPollHistory(store: store, provider: provider, model: model, submittedAt: submittedAt,
                              startedAt: startedAt, durations: durations)
    }

    /// `load` for each of a stage's jobs, in order.
    static func load(_ jobIDs: [String], provider: String, context: any StageContext) async -> [JobPollHistory] {
        var histories: [JobPollHistory] = []
        for id in jobIDs { histories.append(await load(jobID: id, provider: provider, context: context)) }
        return histories
    }

    /// The job's schedule: by its model's history when there is enough, counted from its submit.
    func schedule(base: PollSchedule, callbacks: Bool) -> HistoryPollSchedule {
        let age = submittedAt.map { max(0, startedAt.timeIntervalSince($0)) } ?? 0
        return HistoryPollSchedule(durations: durations, ageMs: Int(age * 1000), base: base, callbacks: callbacks)
    }

    /// Records how long the job took (its submit to now) when this poll watched it finish: it saw the job
    /// unfinished before, or it started right after the submit. Best effort: a failed write is dropped.
    func recordSuccess(sawUnfinished: Bool) async {
        guard let store, let submittedAt else { return }
        guard sawUnfinished || startedAt.timeIntervalSince(submittedAt) <= Self.promptStart else { return }
        let now = Date()
        try? await store.recordJobDuration(now.timeIntervalSince(submittedAt), provider: provider, model: model, finishedAt: now)
    }
}
