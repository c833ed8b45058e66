import Foundation
import GRDB
import VidflowCore

extension SQLiteWorkflowStore {
    /// One query for every run an engine executes: the active runs with a cancel requested (few; found
    /// through `runs_by_status`), intersected with `runIDs` here.
    public func cancelRequested(among runIDs: [String]) async throws -> Set<String> {
        guard !runIDs.isEmpty else { return [] }
        let requested = try await pool.read { db in
            try String.fetchSet(db, sql: """
                SELECT id FROM runs WHERE status IN ('pending', 'running') AND cancel_requested = 1
                """)
        }
        guard !requested.isEmpty else { return [] }
        return Set(runIDs.filter(requested.contains))
    }

    /// Every job record of the run, by stage and slot (one query on the primary key's prefix).
    public func externalJobs(ofRun runID: String) async throws -> [ExternalJobRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM external_jobs WHERE run_id = ? ORDER BY stage_id", arguments: [runID])
                .map(RowCoding.job)
        }
    }
}
