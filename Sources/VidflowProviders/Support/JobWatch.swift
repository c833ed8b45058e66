/// What `video.poll` watches its jobs with: the provider, the poll pacing, the shared deadline, and
/// how many jobs there are (so each log line and error can say which video it is about).
struct JobWatch: Sendable {
    let provider: any VideoProvider
    let schedule: PollSchedule
    let deadline: ContinuousClock.Instant
    let maxWait: Double
    let restartFrom: String?
    let count: Int
    /// Each job's duration history (`JobPollHistory`), in job order; none: `schedule` for every job.
    var histories: [JobPollHistory] = []
    /// The provider calls back when a job ends (it can, and vidflow has a callback URL for it).
    var callbacksConfigured = false

    /// ` (video 2 of 3)` with several jobs, empty with one.
    func label(_ index: Int) -> String { count > 1 ? " (video \(index + 1) of \(count))" : "" }

    /// When to poll job `index`: from its model's history when there is enough, else `schedule`.
    func schedule(for index: Int) -> HistoryPollSchedule {
        let history = index < histories.count ? histories[index] : .none(provider: provider.name)
        return history.schedule(base: schedule, callbacks: callbacksConfigured)
    }

    /// Records job `index`'s duration once it succeeded (see `JobPollHistory.recordSuccess`).
    func recordSuccess(of index: Int, sawUnfinished: Bool) async {
        guard index < histories.count else { return }
        await histories[index].recordSuccess(sawUnfinished: sawUnfinished)
    }
}
