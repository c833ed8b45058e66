import Foundation

/// A token lifetime as typed on the command line: a whole number and a unit, `90m`, `12h`, `30d`, `2w`
/// (also `45s`, for tests and short-lived scripts).
///
/// ```swift
/// ExpiryDuration.parse("30d")   // 2_592_000 seconds
/// ```
enum ExpiryDuration {
    static let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
    /// Ten years: longer than that is "never", and should say so.
    static let maximum: TimeInterval = 10 * 365 * 86_400

    /// Seconds, or nil when `text` is not a positive number followed by s, m, h, d or w (or is over ten years).
    static func parse(_ text: String) -> TimeInterval? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let unit = trimmed.last, let scale = units[unit], let count = Int(trimmed.dropLast()), count > 0 else {
            return nil
        }
        let seconds = TimeInterval(count) * scale
        return seconds <= maximum ? seconds : nil
    }
}
