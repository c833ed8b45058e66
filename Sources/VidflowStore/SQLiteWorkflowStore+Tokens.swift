import Foundation
import GRDB

/// Bearer tokens of the HTTP service: listing, lookup with their lifetime, revocation.
extension SQLiteWorkflowStore {
    /// How stale `last_used_at` may get before a request refreshes it (one write a minute per busy token).
    static let lastUseResolution: TimeInterval = 60

    /// A new public token id: `tok_` and 12 random hex digits.
    public static func newTokenID() -> String {
        "tok_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
    }

    /// The token hashing to `sha256` with its user, whatever its state (the caller decides what an
    /// expired or revoked token gets); nil for an unknown token.
    public func token(sha256: String) async throws -> AccessTokenRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: Self.tokenSelect + " WHERE t.sha256 = ?", arguments: [sha256]).map(Self.tokenRecord)
        }
    }

    /// Every token, oldest first (never the token itself: it is not stored).
    public func tokens() async throws -> [AccessTokenRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: Self.tokenSelect + " ORDER BY t.created_at, t.id").map(Self.tokenRecord)
        }
    }

    /// Revokes the token `id` at `now`; it is refused from the next request on. Returns the token as it
    /// is now (already revoked tokens keep their first revocation time), nil for an unknown id.
    public func revokeToken(id: String, now: Date = Date()) async throws -> AccessTokenRecord? {
        try await pool.write { db in
            try db.execute(sql: "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                           arguments: [now.timeIntervalSince1970, id])
            return try Row.fetchOne(db, sql: Self.tokenSelect + " WHERE t.id = ?", arguments: [id]).map(Self.tokenRecord)
        }
    }

    /// Records a use of the token `id` when its last recorded use is older than a minute.
    public func noteTokenUse(id: String, lastUsedAt: Date?, now: Date = Date()) async throws {
        if let lastUsedAt, now.timeIntervalSince(lastUsedAt) < Self.lastUseResolution { return }
        try await pool.write { db in
            try db.execute(sql: "UPDATE tokens SET last_used_at = ? WHERE id = ?", arguments: [now.timeIntervalSince1970, id])
        }
    }

    private static let tokenSelect = """
        SELECT t.id AS token_id, t.created_at AS token_created_at, t.expires_at, t.revoked_at, t.last_used_at,
               u.id AS user_id, u.name, u.is_admin
        FROM tokens t JOIN users u ON u.id = t.user_id
        """

    private static func tokenRecord(_ row: Row) -> AccessTokenRecord {
        let date = { (column: String) -> Date? in (row[column] as Double?).map(Date.init(timeIntervalSince1970:)) }
        return AccessTokenRecord(id: row["token_id"], user: ServerUser(id: row["user_id"], name: row["name"], isAdmin: row["is_admin"]),
                                 createdAt: date("token_created_at") ?? Date(timeIntervalSince1970: 0),
                                 expiresAt: date("expires_at"), revokedAt: date("revoked_at"), lastUsedAt: date("last_used_at"))
    }
}
