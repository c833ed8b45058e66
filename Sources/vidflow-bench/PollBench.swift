import Foundation
import VidflowProviders

/// Provider requests one generation costs while its job runs, and how late its end is seen: vidflow's
/// adaptive polling without history (`PollSchedule`), with a history of the model's durations
/// (`HistoryPollSchedule`, with and without a callback), and a fixed 10 s interval — for short (5 s),
/// typical (90 s) and long (10 min) jobs. Simulated: no clock, no provider.
func runPollBench() {
    print("\n== polling cost per job (status requests; + 1 submit + 1 download each) ==")
    print("   each history: 200 durations spread evenly over its range; 'over history': mean over jobs drawn from it")
    let base = PollSchedule(initialMs: 500, maxMs: 10_000)
    let cases: [(label: String, job: Double, history: ClosedRange<Double>)] = [
        ("short 5 s", 5, 3...7), ("typical 90 s", 90, 60...120), ("long 10 min", 600, 420...780),
    ]
    print("   " + "job (history)".padding(28) + "schedule".padding(38) + "this job".padding(20) + "over history")
    for (label, job, range) in cases {
        let history = (0..<200).map { range.lowerBound + (range.upperBound - range.lowerBound) * Double($0) / 199 }
        let withHistory = HistoryPollSchedule(durations: history, ageMs: 0, base: base)
        let withCallback = HistoryPollSchedule(durations: history, ageMs: 0, base: base, callbacks: true)
        let rows: [(String, (Double) -> (requests: Int, lateBy: Double))] = [
            ("adaptive, no history (0.5 → 10 s)", { PollSchedule.simulate(base, jobSeconds: $0) }),
            ("adaptive, with history", { HistoryPollSchedule.simulate(withHistory, jobSeconds: $0) }),
            ("adaptive, with history + callback", { HistoryPollSchedule.simulate(withCallback, jobSeconds: $0, callback: true) }),
            ("fixed 10 s", { PollSchedule.simulate(PollSchedule(initialMs: 10_000, maxMs: 10_000, multiplier: 1), jobSeconds: $0) }),
        ]
        let name = "\(label) (\(seconds(range.lowerBound))–\(seconds(range.upperBound)))"
        for (index, (schedule, simulate)) in rows.enumerated() {
            let one = simulate(job)
            let all = history.map(simulate)
            let meanRequests = Double(all.map(\.requests).reduce(0, +)) / Double(all.count)
            let meanLate = all.map(\.lateBy).reduce(0, +) / Double(all.count)
            print("   " + (index == 0 ? name : "").padding(28) + schedule.padding(38)
                  + "\(one.requests) req, \(format(one.lateBy)) s late".padding(20)
                  + "\(format(meanRequests)) req, \(format(meanLate)) s late")
        }
    }
    print("   with a callback a job finished before the request is not asked about (the callback ends the wait)")

    print("\n== provider hints are floors (one 90 s job, no history) ==")
    let hinted: [(String, Int)] = [("Runway's 5 s floor", 5_000), ("OpenAI's 1 s poll-after", 1_000)]
    for (label, hint) in hinted {
        let (requests, late) = PollSchedule.simulate(base, jobSeconds: 90, hintMs: hint)
        print("   adaptive, \(label.padding(32)) \(requests) requests, \(format(late)) s late")
    }
}

private func format(_ value: Double) -> String { String(format: "%.1f", value) }

private func seconds(_ value: Double) -> String { value >= 300 ? "\(Int(value / 60)) min" : "\(Int(value)) s" }

private extension String {
    func padding(_ length: Int) -> String { padding(toLength: length, withPad: " ", startingAt: 0) }
}
