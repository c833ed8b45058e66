import Foundation
import GRDB
import VidflowCore

/// Queries of the HTTP service: users and token hashes, run ownership, listings, callbacks, settings.
extension SQLiteWorkflowStore {
    // MARK: Users and tokens

    /// The user called `name`, created when missing.
    public func user(named name: String, createAsAdmin isAdmin: Bool = false) async throws -> ServerUser {
        try await pool.write { db in
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM users WHERE name = ?", arguments: [name]) {
                return Self.user(row)
            }
            let id = "usr_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            try db.execute(sql: "INSERT INTO users (id, name, is_admin, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [id, name, isAdmin, Date().timeIntervalSince1970])
            return ServerUser(id: id, name: name, isAdmin: isAdmin)
        }
    }

    /// Stores a token's SHA-256 (hex) for a user under the public `id`, valid until `expiresAt` (nil:
    /// never expires); the token itself is never stored.
    public func addToken(sha256: String, userID: String, id: String = SQLiteWorkflowStore.newTokenID(),
                         expiresAt: Date? = nil) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO tokens (sha256, user_id, created_at, id, expires_at) VALUES (?, ?, ?, ?, ?)
                """, arguments: [sha256, userID, Date().timeIntervalSince1970, id, expiresAt?.timeIntervalSince1970])
        }
    }

    /// The user whose token hashes to `sha256`, if any, whatever the token's state (see `token(sha256:)`).
    public func user(tokenSHA256 sha256: String) async throws -> ServerUser? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT u.* FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.sha256 = ?",
                             arguments: [sha256]).map(Self.user)
        }
    }

    /// How many tokens exist (zero on a server's first start).
    public func tokenCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tokens") ?? 0 }
    }

    private static func user(_ row: Row) -> ServerUser {
        ServerUser(id: row["id"], name: row["name"], isAdmin: row["is_admin"])
    }

    // MARK: Run ownership

    /// Gives a new run to a user (first writer wins) and records its callback URL and metadata; returns
    /// the user owning the run now (nil: an unknown or hidden run). Group-committed with other creates.
    @discardableResult
    public func assign(runID: String, userID: String, callbackURL: String?, meta: JSONValue?) async throws -> String? {
        try await queue.write { db in
            try db.cachedStatement(sql: "UPDATE runs SET user_id = ?, meta = COALESCE(meta, ?) WHERE id = ? AND user_id IS NULL")
                .execute(arguments: [userID, meta.map(\.canonicalJSON), runID])
            if let callbackURL {
                try db.cachedStatement(sql: """
                    INSERT OR IGNORE INTO callbacks (run_id, url, next_attempt_at) VALUES (?, ?, ?)
                    """).execute(arguments: [runID, callbackURL, Date().timeIntervalSince1970])
            }
            return try String.fetchOne(db.cachedStatement(sql: "SELECT user_id FROM runs WHERE id = ? AND hidden = 0"),
                                       arguments: [runID])
        }
    }

    /// The user owning a run, or nil for an unknown run or one nobody owns.
    public func owner(ofRun runID: String) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT user_id FROM runs WHERE id = ? AND hidden = 0", arguments: [runID])
        }
    }

    /// Whether a visible run exists, and who owns it (nil: nobody — a run started by the CLI).
    public func ownership(ofRun runID: String) async throws -> (exists: Bool, owner: String?) {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT user_id FROM runs WHERE id = ? AND hidden = 0", arguments: [runID]) else {
                return (false, nil)
            }
            return (true, row["user_id"])
        }
    }

    /// Hides a run from its owner (a deleted video): it answers 404 from then on; its rows stay for audits.
    public func hide(runID: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE runs SET hidden = 1 WHERE id = ?", arguments: [runID])
        }
    }

    /// The metadata recorded with a run (e.g. a video task's request).
    public func meta(ofRun runID: String) async throws -> JSONValue? {
        try await pool.read { db in
            let text = try String.fetchOne(db, sql: "SELECT meta FROM runs WHERE id = ?", arguments: [runID])
            return try text.map { try JSONValue.parse($0) }
        }
    }

    /// The stages and `meta` of several runs in one read, for list pages (not two queries per run).
    public func stagesAndMeta(ofRuns runIDs: [String]) async throws -> [String: (stages: [StageRecord], meta: JSONValue?)] {
        guard !runIDs.isEmpty else { return [:] }
        return try await pool.read { db in
            let marks = Array(repeating: "?", count: runIDs.count).joined(separator: ", ")
            let arguments = StatementArguments(runIDs)
            var result: [String: (stages: [StageRecord], meta: JSONValue?)] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, meta FROM runs WHERE id IN (\(marks))", arguments: arguments) {
                let text: String? = row["meta"]
                result[row["id"]] = ([], try text.map { try JSONValue.parse($0) })
            }
            let sql = "SELECT * FROM stages WHERE run_id IN (\(marks)) ORDER BY run_id, position"
            for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
                let stage = try RowCoding.stage(row)
                result[stage.runID, default: ([], nil)].stages.append(stage)
            }
            return result
        }
    }

    /// A user's runs, newest first (or oldest first), after the run `cursor` (exclusive); `kind` filters on `meta.kind`.
    /// With `includeUnowned`, runs nobody owns (started by the CLI) are listed too.
    public func runs(userID: String, status: RunStatus?, limit: Int, after cursor: String?,
                     kind: String? = nil, oldestFirst: Bool = false, includeUnowned: Bool = false) async throws -> [RunRecord] {
        try await pool.read { db in
            var sql = includeUnowned ? "SELECT * FROM runs WHERE (user_id = ? OR user_id IS NULL) AND hidden = 0"
                : "SELECT * FROM runs WHERE user_id = ? AND hidden = 0"
            var arguments: StatementArguments = [userID]
            if let status { sql += " AND status = ?"; arguments += [status.rawValue] }
            if let kind { sql += " AND json_extract(meta, '$.kind') = ?"; arguments += [kind] }
            if let cursor {
                sql += " AND (created_at, id) \(oldestFirst ? ">" : "<") (SELECT created_at, id FROM runs WHERE id = ?)"
                arguments += [cursor]
            }
            sql += oldestFirst ? " ORDER BY created_at, id LIMIT ?" : " ORDER BY created_at DESC, id DESC LIMIT ?"
            arguments += [max(0, limit)]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(RowCoding.run)
        }
    }

    /// Events of several runs in id order, after `after`.
    public func events(runIDs: [String], after: Int64, limit: Int) async throws -> [EventRecord] {
        guard !runIDs.isEmpty else { return [] }
        return try await pool.read { db in
            let marks = Array(repeating: "?", count: runIDs.count).joined(separator: ", ")
            var arguments = StatementArguments(runIDs)
            arguments += [after, limit]
            return try Row.fetchAll(db, sql: "SELECT * FROM events WHERE run_id IN (\(marks)) AND id > ? ORDER BY id LIMIT ?",
                                    arguments: arguments).map(RowCoding.event)
        }
    }

    /// Counts of runs and stages by status, for metrics.
    public func statusCounts() async throws -> (runs: [String: Int], stages: [String: Int]) {
        try await pool.read { db in
            var runs: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM runs GROUP BY status") {
                runs[row["status"]] = row["n"]
            }
            var stages: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM stages GROUP BY status") {
                stages[row["status"]] = row["n"]
            }
            return (runs, stages)
        }
    }

    /// Whether the database answers a trivial query.
    public func ping() async -> Bool {
        (try? await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }) == 1
    }

    // MARK: Callbacks

    /// Callbacks of terminal runs that are due for a (re)delivery.
    public func dueCallbacks(now: Date, limit: Int) async throws -> [PendingCallback] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT c.run_id, c.url, c.attempts FROM callbacks c JOIN runs r ON r.id = c.run_id
                WHERE c.state = 'pending' AND c.next_attempt_at <= ? AND r.status IN ('completed', 'failed', 'cancelled')
                ORDER BY c.next_attempt_at LIMIT ?
                """, arguments: [now.timeIntervalSince1970, limit])
                .map { PendingCallback(runID: $0["run_id"], url: $0["url"], attempts: $0["attempts"]) }
        }
    }

    /// Records one delivery attempt and what comes next: done, another try at `retryAt`, or given up.
    public func record(_ delivery: WebhookDelivery, retryAt: Date?) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO webhook_deliveries (id, run_id, attempt, url, status_code, error, at, duration_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [delivery.id, delivery.runID, delivery.attempt, delivery.url, delivery.statusCode,
                                 delivery.error, delivery.at.timeIntervalSince1970, delivery.durationMs])
            let state = delivery.succeeded ? "delivered" : (retryAt == nil ? "failed" : "pending")
            try db.execute(sql: "UPDATE callbacks SET state = ?, attempts = ?, next_attempt_at = ? WHERE run_id = ?",
                           arguments: [state, delivery.attempt, (retryAt ?? delivery.at).timeIntervalSince1970,
                                       delivery.runID])
        }
    }

    /// Every delivery attempt of a run's webhook, oldest first.
    public func deliveries(runID: String) async throws -> [WebhookDelivery] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM webhook_deliveries WHERE run_id = ? ORDER BY attempt", arguments: [runID])
                .map { row in
                    WebhookDelivery(id: row["id"], runID: row["run_id"], attempt: row["attempt"], url: row["url"],
                                    statusCode: row["status_code"], error: row["error"],
                                    at: Date(timeIntervalSince1970: row["at"]), durationMs: row["duration_ms"])
                }
        }
    }

    // MARK: Settings

    /// A stored server setting (JSON text), nil when unset.
    public func setting(_ key: String) async throws -> String? {
        try await pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM server_settings WHERE key = ?", arguments: [key]) }
    }

    public func setSetting(_ key: String, _ value: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO server_settings (key, value) VALUES (?, ?)", arguments: [key, value])
        }
    }
}

/// Aggregates for `/metrics`.
extension SQLiteWorkflowStore {
    /// Count and total seconds of finished stages, by stage type.
    public func stageDurations() async throws -> [(type: String, count: Int, sum: Double)] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT type, COUNT(*) AS n, SUM(ended_at - started_at) AS total FROM stages
                WHERE started_at IS NOT NULL AND ended_at IS NOT NULL AND reused_from IS NULL GROUP BY type ORDER BY type
                """).map { (type: $0["type"], count: $0["n"], sum: $0["total"] ?? 0) }
        }
    }

    /// Paid jobs by provider: all of them, and those that never got an external id. A job a retry kept
    /// from its base run (the same external id recorded twice) counts once.
    public func providerJobCounts() async throws -> [(provider: String, total: Int, unsubmitted: Int)] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT provider, COUNT(DISTINCT external_id) + SUM(CASE WHEN external_id IS NULL THEN 1 ELSE 0 END) AS n,
                SUM(CASE WHEN external_id IS NULL THEN 1 ELSE 0 END) AS missing
                FROM external_jobs GROUP BY provider ORDER BY provider
                """).map { (provider: $0["provider"], total: $0["n"], unsubmitted: $0["missing"] ?? 0) }
        }
    }
}
