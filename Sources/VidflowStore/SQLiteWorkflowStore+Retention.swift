import Foundation
import GRDB
import VidflowCore

/// The database half of retention: which finished runs are old enough, which of their artifacts no other
/// run uses, and removing those rows in one transaction.
extension SQLiteWorkflowStore {
    /// Finds the runs in a terminal state (completed, failed, cancelled) that ended before `cutoff` and the
    /// artifacts only they use; unless `dryRun`, deletes their rows — the run, and every row of every table
    /// with a `run_id` column (stages, attempts, events, external jobs, callbacks, webhook deliveries) — and
    /// the `artifacts` rows of those artifacts, in one transaction. Never touches a pending or running run.
    ///
    /// An artifact counts as used when a remaining run's stage lists it or names it in its output, or a
    /// remaining run's inputs name it (its SHA-256 anywhere in that text: a false match keeps a file, it never
    /// deletes one). Files are not deleted here: see `RetentionSweep`.
    public func removeRuns(endedBefore cutoff: Date, dryRun: Bool) async throws -> RetentionReport {
        if dryRun {
            return try await pool.read { db in try Self.retention(endedBefore: cutoff, dryRun: true, in: db) }
        }
        return try await pool.write { db in try Self.retention(endedBefore: cutoff, dryRun: false, in: db) }
    }

    private static func retention(endedBefore cutoff: Date, dryRun: Bool, in db: Database) throws -> RetentionReport {
        var report = RetentionReport(cutoff: cutoff, dryRun: dryRun)
        let terminal = RunStatus.allCases.filter(\.isTerminal).map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let rows = try Row.fetchAll(db, sql: """
            SELECT id, workflow_name, status, COALESCE(ended_at, started_at, created_at) AS ended FROM runs
            WHERE status IN (\(terminal)) AND COALESCE(ended_at, started_at, created_at) < ? ORDER BY ended, id
            """, arguments: [cutoff.timeIntervalSince1970])
        report.runs = rows.compactMap { row in
            guard let status = RunStatus(rawValue: row["status"]), status.isTerminal else { return nil }
            return RetentionReport.RemovedRun(id: row["id"], workflowName: row["workflow_name"], status: status,
                                              endedAt: Date(timeIntervalSince1970: row["ended"]))
        }
        guard !report.runs.isEmpty else { return report }
        let removed = try RowCoding.json(report.runs.map(\.id))
        var candidates: [String: ArtifactRef] = [:]
        for text in try String?.fetchAll(db, sql: "SELECT artifacts FROM stages WHERE run_id IN (SELECT value FROM json_each(?))",
                                         arguments: [removed]) {
            for artifact in try RowCoding.decode([ArtifactRef].self, text, column: "artifacts") ?? [] {
                candidates[artifact.sha256] = candidates[artifact.sha256] ?? artifact
            }
        }
        for row in try Row.fetchAll(db, sql: "SELECT * FROM artifacts WHERE run_id IN (SELECT value FROM json_each(?))",
                                    arguments: [removed]) {
            let artifact = ArtifactRef(sha256: row["sha256"], size: row["size"], path: row["path"], mime: row["mime"])
            candidates[artifact.sha256] = candidates[artifact.sha256] ?? artifact
        }
        let used = try usedHashes(excluding: removed, in: db)
        for sha256 in candidates.keys.sorted() {
            if used.contains(sha256) {
                report.keptArtifacts += 1
            } else if let artifact = candidates[sha256] {
                report.artifacts.append(artifact)
            }
        }
        guard !dryRun else { return report }
        let tables = try String.fetchAll(db, sql: """
            SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) p
            WHERE m.type = 'table' AND p.name = 'run_id' AND m.name NOT IN ('artifacts', 'runs') ORDER BY m.name
            """)
        for table in tables {
            try db.execute(sql: "DELETE FROM \"\(table)\" WHERE run_id IN (SELECT value FROM json_each(?))", arguments: [removed])
        }
        try db.execute(sql: "DELETE FROM runs WHERE id IN (SELECT value FROM json_each(?))", arguments: [removed])
        for artifact in report.artifacts {
            try db.execute(sql: "DELETE FROM artifacts WHERE sha256 = ?", arguments: [artifact.sha256])
        }
        return report
    }

    /// The artifacts of a finished run that no other run names (the files deleting the run's share directory
    /// frees); empty while the run is not finished.
    public func artifactsUsedOnly(byRun runID: String) async throws -> [ArtifactRef] {
        try await pool.read { db in
            let status = try String.fetchOne(db, sql: "SELECT status FROM runs WHERE id = ?", arguments: [runID])
            guard let status, RunStatus(rawValue: status)?.isTerminal == true else { return [] }
            let only = try RowCoding.json([runID])
            var candidates: [String: ArtifactRef] = [:]
            for text in try String?.fetchAll(db, sql: "SELECT artifacts FROM stages WHERE run_id = ?", arguments: [runID]) {
                for artifact in try RowCoding.decode([ArtifactRef].self, text, column: "artifacts") ?? [] {
                    candidates[artifact.sha256] = candidates[artifact.sha256] ?? artifact
                }
            }
            let used = try Self.usedHashes(excluding: only, in: db)
            return candidates.keys.sorted().filter { !used.contains($0) }.compactMap { candidates[$0] }
        }
    }

    /// Every SHA-256 (64 hex digits between non-hex characters) in the remaining runs' stage artifact lists and
    /// outputs and in their inputs: one pass over the text, so a sweep stays linear in the size of the database.
    private static func usedHashes(excluding removed: String, in db: Database) throws -> Set<String> {
        var hashes = Set<String>()
        let texts = try String.fetchCursor(db, sql: """
            SELECT artifacts || ' ' || COALESCE(output, '') FROM stages WHERE run_id NOT IN (SELECT value FROM json_each(?))
            UNION ALL SELECT inputs FROM runs WHERE id NOT IN (SELECT value FROM json_each(?))
            """, arguments: [removed, removed])
        while let text = try texts.next() { collectHashes(in: text, into: &hashes) }
        return hashes
    }

    static func collectHashes(in text: String, into hashes: inout Set<String>) {
        var run: [UInt8] = []
        func flush() {
            if run.count == 64 { hashes.insert(String(decoding: run, as: UTF8.self).lowercased()) }
            run.removeAll(keepingCapacity: true)
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"):
                run.append(byte)
            default: flush()
            }
        }
        flush()
    }
}
