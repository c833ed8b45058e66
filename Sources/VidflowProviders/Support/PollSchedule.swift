/// How long to wait between status polls: start short, grow geometrically to a ceiling, and never
/// poll sooner than a provider's hint (Retry-After, `poll-after-ms`). Pure, so it is tested without clocks.
///
/// ```swift
/// var schedule = PollSchedule(initialMs: 500, maxMs: 10_000)
/// schedule.next(hintMs: nil)   // 500, then 750, 1125, ... up to 10 000
/// schedule.next(hintMs: 3_000) // 3 000 (the hint is a floor)
/// ```
public struct PollSchedule: Sendable, Hashable {
    public var initialMs: Int
    public var maxMs: Int
    public var multiplier: Double
    private var currentMs: Double?

    public init(initialMs: Int = 500, maxMs: Int = 10_000, multiplier: Double = 1.5) {
        self.initialMs = max(1, initialMs)
        self.maxMs = max(self.initialMs, maxMs)
        self.multiplier = max(1, multiplier)
    }

    /// The next wait in milliseconds. A provider hint is a floor, not a pace: the wait is the longer of
    /// the hint (capped at a minute) and the schedule's own, which keeps growing underneath.
    public mutating func next(hintMs: Int?) -> Int {
        let wait = currentMs.map { min(Double(maxMs), $0 * multiplier) } ?? Double(initialMs)
        currentMs = wait
        if let hintMs, hintMs > 0 { return min(max(hintMs, Int(wait)), 60_000) }
        return Int(wait)
    }

    /// Status requests a job lasting `jobSeconds` costs, and how late its end is seen, when every
    /// answer carries `hintMs`: what `make bench` prints against a fixed interval.
    public static func simulate(_ schedule: PollSchedule, jobSeconds: Double, hintMs: Int? = nil) -> (requests: Int, lateBy: Double) {
        var schedule = schedule
        var now = 0.0
        var requests = 1
        while now < jobSeconds {
            now += Double(schedule.next(hintMs: hintMs)) / 1000
            requests += 1
        }
        return (requests, now - jobSeconds)
    }
}
