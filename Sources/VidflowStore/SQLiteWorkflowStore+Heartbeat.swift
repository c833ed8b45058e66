import Foundation
import GRDB
import VidflowCore

extension SQLiteWorkflowStore {
    /// When the run's newest event (a status change, progress, a log line) was written; nil when it has none.
    ///
    /// One index lookup (`events_by_run`), however many events the run has.
    public func lastEventTime(ofRun runID: String) async throws -> Date? {
        try await pool.read { db in
            let seconds = try Double.fetchOne(db, sql: "SELECT at FROM events WHERE run_id = ? ORDER BY id DESC LIMIT 1",
                                              arguments: [runID])
            return RowCoding.date(seconds)
        }
    }
}
