/// How long to wait between status polls: start short, grow geometrically to a ceiling, and follow a
/// provider's hint (Retry-After, `poll-after-ms`) when it gives one. Pure, so it is tested without clocks.
///
/// ```swift
/// var schedule = PollSchedule(initialMs: 500, maxMs: 10_000)
/// schedule.next(hintMs: nil)   // 500, then 750, 1125, ... up to 10 000
/// schedule.next(hintMs: 3_000) // 3 000
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

    /// The next wait in milliseconds; a hint is honoured (capped at a minute) and resets the growth.
    public mutating func next(hintMs: Int?) -> Int {
        if let hintMs, hintMs > 0 {
            currentMs = Double(min(hintMs, maxMs))
            return min(hintMs, 60_000)
        }
        let wait = currentMs.map { min(Double(maxMs), $0 * multiplier) } ?? Double(initialMs)
        currentMs = wait
        return Int(wait)
    }
}
