import Foundation
import VidflowCore

/// Reads how long a provider asks callers to wait, from whichever signal it uses: `retry-after-ms`,
/// `Retry-After` (seconds or an HTTP date), `x-ratelimit-reset-requests` (`1s`, `6m0s`, `250ms`),
/// Google's `RetryInfo.retryDelay` (`"34.4s"`), or Replicate's "resets in ~30s" detail text.
public enum RetryHint {
    /// Milliseconds to wait, or nil when the response carries no hint.
    public static func milliseconds(headers: [String: String], body: JSONValue?) -> Int? {
        if let ms = headers["retry-after-ms"].flatMap(Double.init) { return Int(ms) }
        if let value = headers["retry-after"] {
            if let seconds = Double(value.trimmingCharacters(in: .whitespaces)) { return Int(seconds * 1000) }
            if let date = httpDate(value) { return max(0, Int(date.timeIntervalSinceNow * 1000)) }
        }
        if let reset = headers["x-ratelimit-reset-requests"], let ms = duration(reset) { return ms }
        if let details = body?["error"]?["details"]?.arrayValue {
            for detail in details {
                if let delay = detail["retryDelay"]?.stringValue, let ms = duration(delay) { return ms }
            }
        }
        if let detail = body?["detail"]?.stringValue, let range = detail.range(of: "resets in ~") {
            let digits = detail[range.upperBound...].prefix { $0.isNumber }
            if let seconds = Int(digits) { return seconds * 1000 }
        }
        return nil
    }

    /// Parses Go-style durations: `1s`, `34.4s`, `250ms`, `6m0s`, `1h2m`.
    public static func duration(_ text: String) -> Int? {
        var total = 0.0
        var number = ""
        var unit = ""
        var matched = false
        func flush() -> Bool {
            guard let value = Double(number) else { return false }
            switch unit {
            case "ms": total += value
            case "s": total += value * 1000
            case "m": total += value * 60_000
            case "h": total += value * 3_600_000
            default: return false
            }
            matched = true
            number = ""
            unit = ""
            return true
        }
        for character in text.trimmingCharacters(in: .whitespaces) {
            if character.isNumber || character == "." {
                if !unit.isEmpty { guard flush() else { return nil } }
                number.append(character)
            } else if character.isLetter {
                unit.append(character)
            } else {
                return nil
            }
        }
        if !number.isEmpty { guard flush() else { return nil } }
        return matched ? Int(total) : nil
    }

    private static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}
