import Foundation
import VidflowCore

/// Turns one event of the log into one line: time, stage, then status, progress or log message.
///
/// ```
/// 2026-11-24T02:31:05.123Z  transcode  running (attempt 1)
/// 2026-11-24T02:31:05.900Z  transcode  progress 40%
/// ```
enum EventFormatter {
    static func line(_ event: EventRecord, stageWidth: Int) -> String {
        let subject = event.stageID ?? "run"
        return TextFormat.timestamp(event.at) + "  " + TextFormat.pad(subject, stageWidth) + "  " + text(event)
    }

    /// The event without its time and subject.
    static func text(_ event: EventRecord) -> String {
        let data = event.data
        switch event.kind {
        case .status:
            var text = data["status"]?.stringValue ?? "?"
            if let attempt = data["attempt"]?.intValue, attempt > 0, text == "running" { text += " (attempt \(attempt))" }
            if let next = data["next_attempt_at"]?.doubleValue {
                text += ", next attempt at " + TextFormat.clock(Date(timeIntervalSince1970: next))
            }
            if let message = data["message"]?.stringValue {
                text = message.hasPrefix(text + ":") ? message : text + ": " + message
            }
            return text
        case .progress:
            return "progress \(data["percent"]?.intValue ?? 0)%"
        case .log:
            return "log: " + (data["message"]?.stringValue ?? data.interpolated)
        case .done:
            var text = data["status"]?.stringValue ?? "ended"
            if let message = data["error"]?["message"]?.stringValue, message != text { text += ": " + message }
            return text
        }
    }

    /// A column wide enough for every stage id of `stages` (and for "run").
    static func stageWidth(_ ids: [String]) -> Int {
        max(3, ids.map(\.count).max() ?? 0)
    }
}
