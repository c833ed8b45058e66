import Foundation
import VidflowCore

/// The timestamps of the API, its events, webhooks and logs (the API's typed answers get theirs from
/// `APIResponseEncoder`, in the same format).
enum JSONResponse {
    /// ISO 8601 with fractional seconds, UTC; null for nil.
    static func time(_ date: Date?) -> JSONValue {
        guard let date else { return .null }
        return .string(timestamp(date))
    }

    /// ISO 8601 with milliseconds, UTC (`2026-12-03T17:58:45.120Z`): every time the API and its events show.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
