import VidflowProviders

/// Provider requests one generation costs while a 90 s job runs: vidflow's adaptive polling (with and
/// without provider hints) against a fixed 10 s interval, and how late each sees the job end.
func runPollBench() {
    let job = 90.0
    print("\n== polling cost for one \(Int(job)) s job (status requests; + 1 submit + 1 download each) ==")
    let rows: [(String, PollSchedule, Int?)] = [
        ("adaptive 0.5 s → 10 s (×1.5), no hints", PollSchedule(initialMs: 500, maxMs: 10_000), nil),
        ("adaptive, Runway's 5 s floor", PollSchedule(initialMs: 500, maxMs: 10_000), 5_000),
        ("adaptive, OpenAI's 1 s poll-after", PollSchedule(initialMs: 500, maxMs: 10_000), 1_000),
        ("fixed 10 s", PollSchedule(initialMs: 10_000, maxMs: 10_000, multiplier: 1), nil),
        ("fixed 2 s", PollSchedule(initialMs: 2_000, maxMs: 2_000, multiplier: 1), nil),
    ]
    for (label, schedule, hint) in rows {
        let (requests, late) = PollSchedule.simulate(schedule, jobSeconds: job, hintMs: hint)
        // A job's end rarely falls on a poll: average the lateness over jobs of 60–120 s.
        let lengths = stride(from: 60.0, through: 120.0, by: 0.25)
        let meanLate = lengths.map { PollSchedule.simulate(schedule, jobSeconds: $0, hintMs: hint).lateBy }.reduce(0, +)
            / Double(lengths.underestimatedCount)
        print("  \(label.padding(toLength: 42, withPad: " ", startingAt: 0)) \(requests) requests, end seen "
              + "\(String(format: "%.1f", late)) s late (mean \(String(format: "%.1f", meanLate)) s over 60–120 s jobs)")
    }
    print("  with a provider callback (Kling, Seedance, fal, Replicate): the first poll, then the callback ends the wait")
}
