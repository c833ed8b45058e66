import Foundation
import VidflowCore

/// The display for pipes and files: each event handed to `emit` once, in order, nothing redrawn.
struct EventLogView: RunDisplay {
    /// Prints one event (a text line, a JSON line, or nothing at all).
    let emit: (EventRecord) -> Void

    var needsStages: Bool { false }

    /// One plain text line per event on stdout.
    static func lines(stageWidth: Int) -> EventLogView {
        EventLogView { Console.line(EventFormatter.line($0, stageWidth: stageWidth)) }
    }

    mutating func update(events: [EventRecord], stages: [StageRecord], now: Date) {
        for event in events { emit(event) }
    }

    mutating func finish(stages: [StageRecord], now: Date) {}
}
