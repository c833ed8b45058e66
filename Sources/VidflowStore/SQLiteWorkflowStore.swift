import Foundation
import GRDB
import VidflowCore

/// The SQLite implementation of `WorkflowStore` (GRDB, WAL, group commit).
///
/// ```swift
/// let store = try SQLiteWorkflowStore(path: ".vidflow/vidflow.sqlite")
/// let runs = try await store.runs(status: .failed, limit: 20, createdBefore: nil)
/// ```
public final class SQLiteWorkflowStore: WorkflowStore {
    public let path: String
    let pool: DatabasePool
    /// Group commit of transitions, run creations and releases (see `CommitQueue`).
    let queue: CommitQueue
    private let checkpointer: WALCheckpointer
    /// Every event this store commits through `commit`, pushed to this process's subscribers (SSE streams)
    /// right after its transaction commits. A run's creation events are not: nobody can watch a run before
    /// it exists, so a stream opened later reads them back. Events other processes write are not either.
    public let eventHub: EventHub

    public init(path: String) throws {
        self.path = path
        pool = try StoreDatabase.open(path: path)
        eventHub = EventHub()
        queue = CommitQueue(writer: pool, events: eventHub)
        checkpointer = try WALCheckpointer(path: path)
    }

    /// Creates that arrive together are written in one transaction (`CommitQueue`), each in its own
    /// savepoint; each caller is answered after that transaction commits.
    public func createRun(_ run: RunRecord, stages: [StageRecord], events: [NewEvent], owner: String?) async throws -> String {
        // Encoded here, in the caller's task, so the shared writer only binds and steps.
        let row: StatementArguments = [
            run.id, run.workflowName, try RowCoding.json(run.definition), RowCoding.json(run.inputs), run.mode.rawValue,
            run.baseRunID, run.status.rawValue, try RowCoding.jsonOrNil(run.error), RowCoding.time(run.createdAt),
            RowCoding.time(run.startedAt), RowCoding.time(run.endedAt), run.source, run.idempotencyKey, owner,
            try RowCoding.jsonOrNil(run.fileAccess),
        ]
        return try await queue.write { db in
            if let key = run.idempotencyKey,
               let existing = try String.fetchOne(db, sql: "SELECT id FROM runs WHERE idempotency_key = ?", arguments: [key]) {
                return existing
            }
            if let base = run.baseRunID {
                guard let status = try String.fetchOne(db, sql: "SELECT status FROM runs WHERE id = ?", arguments: [base]) else {
                    throw StoreError.runNotFound(base)
                }
                if let s = RunStatus(rawValue: status), !s.isTerminal {
                    throw StoreError.conflict("run '\(base)' is still running (\(status)): wait for it to finish or cancel it first")
                }
                if let other = try String.fetchOne(db, sql: """
                    SELECT id FROM runs WHERE base_run_id = ? AND status IN ('pending', 'running') LIMIT 1
                    """, arguments: [base]) {
                    throw StoreError.conflict("run '\(other)' is already retrying or re-running '\(base)'")
                }
            }
            try db.cachedStatement(sql: """
                INSERT INTO runs (id, workflow_name, definition, inputs, mode, base_run_id, status, error, created_at,
                started_at, ended_at, source, idempotency_key, owner, file_access)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: row)
            for stage in stages { try BatchWriter.insert(stage, in: db) }
            var batch = StoreBatch()
            batch.events = events
            try BatchWriter.apply(batch, in: db)
            if let owner { try Self.touch(owner, in: db) }
            return run.id
        }
    }

    public func commit(_ batch: StoreBatch) async throws {
        guard !batch.isEmpty else { return }
        try await queue.commit(batch)
    }

    public func run(_ id: String) async throws -> RunRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [id]).map(RowCoding.run)
        }
    }

    public func stages(of runID: String) async throws -> [StageRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM stages WHERE run_id = ? ORDER BY position", arguments: [runID])
                .map(RowCoding.stage)
        }
    }

    public func attempts(of runID: String) async throws -> [AttemptRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM attempts WHERE run_id = ? ORDER BY stage_id, number", arguments: [runID])
                .map(RowCoding.attempt)
        }
    }

    public func runs(status: RunStatus?, limit: Int, createdBefore: Date?) async throws -> [RunRecord] {
        try await pool.read { db in
            var sql = "SELECT * FROM runs WHERE 1"
            var arguments: StatementArguments = []
            if let status { sql += " AND status = ?"; arguments += [status.rawValue] }
            if let createdBefore { sql += " AND created_at < ?"; arguments += [createdBefore.timeIntervalSince1970] }
            sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
            arguments += [max(0, limit)]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(RowCoding.run)
        }
    }

    public func events(runID: String?, after: Int64, limit: Int) async throws -> [EventRecord] {
        try await pool.read { db in
            if let runID {
                return try Row.fetchAll(db, sql: "SELECT * FROM events WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?",
                                        arguments: [runID, after, limit]).map(RowCoding.event)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?",
                                    arguments: [after, limit]).map(RowCoding.event)
        }
    }

    public func externalJob(runID: String, stageID: String) async throws -> ExternalJobRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM external_jobs WHERE run_id = ? AND stage_id = ?",
                             arguments: [runID, stageID]).map(RowCoding.job)
        }
    }

    /// Every paid-job record, for audits and tests.
    public func allExternalJobs() async throws -> [ExternalJobRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM external_jobs ORDER BY intent_at").map(RowCoding.job)
        }
    }

    /// Artifacts first produced by a run's stages, for audits and clean-up.
    public func artifacts(producedBy runID: String) async throws -> [ArtifactRef] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM artifacts WHERE run_id = ? ORDER BY stage_id, sha256", arguments: [runID])
                .map { ArtifactRef(sha256: $0["sha256"], size: $0["size"], path: $0["path"], mime: $0["mime"]) }
        }
    }

    public func requestCancel(_ runID: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE runs SET cancel_requested = 1 WHERE id = ?", arguments: [runID])
            guard db.changesCount > 0 else { throw StoreError.runNotFound(runID) }
        }
    }

    public func isCancelRequested(_ runID: String) async throws -> Bool {
        try await pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT cancel_requested FROM runs WHERE id = ?", arguments: [runID]) ?? false
        }
    }

    public func claimOrphans(owner: String, staleBefore: Date,
                             isOwnerGone: @Sendable (String) -> Bool) async throws -> [String] {
        try await pool.write { db in
            let candidates = try Row.fetchAll(db, sql: """
                SELECT r.id, r.owner, o.heartbeat_at FROM runs r LEFT JOIN owners o ON o.owner = r.owner
                WHERE r.status IN ('pending', 'running') ORDER BY r.created_at
                """)
            var claimed: [String] = []
            for row in candidates {
                let current: String? = row["owner"]
                let heartbeat: Double? = row["heartbeat_at"]
                let orphaned = current == nil || current == owner || isOwnerGone(current ?? "")
                    || (heartbeat ?? 0) < staleBefore.timeIntervalSince1970
                guard orphaned else { continue }
                let id: String = row["id"]
                try db.execute(sql: "UPDATE runs SET owner = ? WHERE id = ?", arguments: [owner, id])
                claimed.append(id)
            }
            try Self.touch(owner, in: db)
            return claimed
        }
    }

    public func claim(_ runID: String, owner: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "UPDATE runs SET owner = ? WHERE id = ?", arguments: [owner, runID])
            try Self.touch(owner, in: db)
            return db.changesCount > 0
        }
    }

    public func heartbeat(owner: String) async throws {
        try await pool.write { db in try Self.touch(owner, in: db) }
    }

    public func release(_ runID: String, owner: String) async throws {
        try await queue.write { db in
            try db.cachedStatement(sql: "UPDATE runs SET owner = NULL WHERE id = ? AND owner = ?").execute(arguments: [runID, owner])
        }
    }

    private static func touch(_ owner: String, in db: Database) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO owners (owner, heartbeat_at) VALUES (?, ?)")
            .execute(arguments: [owner, Date().timeIntervalSince1970])
    }
}
