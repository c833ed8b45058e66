import Foundation
import VidflowCore

/// An event just inserted, with the id SQLite gave it and the JSON text stored for its data.
struct WrittenEvent: Sendable {
    let id: Int64
    let event: NewEvent
    let dataJSON: String

    /// The event as the store reads it back (data decoded from the stored text, time from the stored
    /// seconds), so a pushed event and a replayed one are the same.
    func record() throws -> EventRecord {
        EventRecord(id: id, runID: event.runID, stageID: event.stageID, kind: event.kind,
                    data: try RowCoding.decode(JSONValue.self, dataJSON, column: "data") ?? .null,
                    at: RowCoding.date(RowCoding.time(event.at)) ?? event.at)
    }
}

extension EventHub {
    /// Publishes events whose transaction has committed, to the runs someone watches now.
    func publish(committed written: [WrittenEvent]) {
        let watched = written.filter { isWatched(.run($0.event.runID)) }
        guard !watched.isEmpty else { return }
        // Stored data always decodes (it was encoded from a `JSONValue`); an event that would not is left to replay.
        publish(watched.compactMap { try? $0.record() })
    }
}
