/// When to ask a provider about a job, from how long its model's jobs took before: the first request
/// when the quickest tenth of them had finished (p10), then requests at the history's quantiles through
/// the window where most finish (p26, p42, p58, p74, p90: dense where jobs bunch), then waits growing as
/// in `PollSchedule`. With fewer than `minimumSamples` durations it is exactly `base`: a request at
/// once, then `PollSchedule`'s waits. Pure, so it is tested without clocks.
///
/// A provider hint (Retry-After, `poll-after-ms`) is a floor on every wait; `base.maxMs` (`max_interval`)
/// caps every wait from the first request on (a longer gap between two quantiles is split evenly; the
/// wait before the first request is the history's to choose), and `base.initialMs` (`interval`) is the
/// shortest. With a provider callback configured the callback ends the wait, so there is one confirming
/// request at the median, none more until p90 (in case the callback was lost), then the capped growing waits.
///
/// ```swift
/// var schedule = HistoryPollSchedule(durations: lastSeconds, ageMs: 0, base: PollSchedule(initialMs: 500, maxMs: 10_000))
/// schedule.firstWaitMs        // 66 000 with a history spread over 60–120 s: wait this long, then ask
/// schedule.next(hintMs: nil)  // 9 600 (to p26 = 75.6 s), then 9 600 to p42, … to p90, then 10 000 each
/// ```
public struct HistoryPollSchedule: Sendable, Hashable {
    /// Durations needed before the history is trusted.
    public static let minimumSamples = 5
    /// Quantiles of the history where requests go: equal slices of the jobs between two requests.
    static let windowQuantiles: [Double] = [0.10, 0.26, 0.42, 0.58, 0.74, 0.90]
    /// Seconds beyond which a recorded duration is not a job's (a clock jump): ignored.
    static let longestDuration: Double = 7 * 86_400

    private var base: PollSchedule
    /// Times since the submit (ms) of the planned requests before the tail; empty without history.
    private let plan: [Double]
    /// Whether `base.maxMs` caps waits up to p90 (not when a callback will end them).
    private let capsWindow: Bool
    /// The job's age (ms since its submit) at the latest request, as planned.
    private var clockMs: Double
    /// The next wait past the plan; grows by `base.multiplier` up to `base.maxMs`.
    private var tailMs: Double
    /// Milliseconds to wait before the first request (0: ask at once).
    public let firstWaitMs: Int

    /// `durations`: seconds earlier jobs of this provider and model took from submit to success, in any
    /// order. `ageMs`: how long ago this job was submitted when polling starts. `callbacks`: the provider
    /// calls back when the job ends.
    public init(durations: [Double], ageMs: Int, base: PollSchedule, callbacks: Bool = false) {
        self.base = base
        let sorted = durations.filter { $0 >= 0 && $0 <= Self.longestDuration }.map { $0 * 1000 }.sorted()
        let age = Double(max(0, ageMs))
        clockMs = age
        capsWindow = !callbacks
        guard sorted.count >= Self.minimumSamples else {
            plan = []
            tailMs = 0
            firstWaitMs = 0
            return
        }
        let p10 = Self.quantile(sorted, 0.10)
        let p90 = Self.quantile(sorted, 0.90)
        plan = callbacks ? [Self.quantile(sorted, 0.5), p90] : Self.windowQuantiles.map { Self.quantile(sorted, $0) }
        let gap = (p90 - p10) / Double(Self.windowQuantiles.count - 1)
        tailMs = min(Double(base.maxMs), max(Double(base.initialMs), gap))
        firstWaitMs = plan.first.map { Int(max(0, $0 - age)) } ?? 0
        clockMs = age + Double(firstWaitMs)
    }

    /// Whether there were enough durations to plan by (else this is `base`).
    public var usesHistory: Bool { !plan.isEmpty }

    /// The wait in milliseconds after a request that found the job unfinished. A provider hint is a
    /// floor (capped at a minute, as in `PollSchedule`).
    public mutating func next(hintMs: Int?) -> Int {
        guard usesHistory else { return base.next(hintMs: hintMs) }
        let shortest = Double(base.initialMs)
        var wait: Double
        if let point = plan.first(where: { $0 >= clockMs + shortest }) {
            wait = point - clockMs
            if capsWindow, wait > Double(base.maxMs) { wait /= (wait / Double(base.maxMs)).rounded(.up) }
        } else {
            wait = tailMs
            tailMs = min(Double(base.maxMs), tailMs * base.multiplier)
        }
        if let hintMs, hintMs > 0 { wait = max(wait, Double(min(hintMs, 60_000))) }
        clockMs += wait.rounded()
        return Int(wait.rounded())
    }

    /// The `q` quantile (0…1) of sorted values, interpolating between neighbours.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard let first = sorted.first, let last = sorted.last else { return 0 }
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        guard lower + 1 < sorted.count else { return last }
        let fraction = position - Double(lower)
        return lower < 0 ? first : sorted[lower] + (sorted[lower + 1] - sorted[lower]) * fraction
    }

    /// Status requests a job lasting `jobSeconds` (since its submit) costs, and how late its end is seen,
    /// when every answer carries `hintMs`. With `callback`, the callback ends the wait the moment the job
    /// ends: only the requests before that count, and nothing is late.
    public static func simulate(_ schedule: HistoryPollSchedule, jobSeconds: Double, hintMs: Int? = nil,
                                callback: Bool = false) -> (requests: Int, lateBy: Double) {
        var schedule = schedule
        let job = jobSeconds * 1000
        var now = Double(schedule.clockMs)
        var requests = 0
        while true {
            if callback, now > job { return (requests, 0) }
            requests += 1
            if now >= job { return (requests, (now - job) / 1000) }
            now += Double(schedule.next(hintMs: hintMs))
        }
    }
}
