/// What `video.poll` watches its jobs with: the provider, the poll pacing, the shared deadline, and
/// how many jobs there are (so each log line and error can say which video it is about).
struct JobWatch: Sendable {
    let provider: any VideoProvider
    let schedule: PollSchedule
    let deadline: ContinuousClock.Instant
    let maxWait: Double
    let restartFrom: String?
    let count: Int

    /// ` (video 2 of 3)` with several jobs, empty with one.
    func label(_ index: Int) -> String { count > 1 ? " (video \(index + 1) of \(count))" : "" }
}
