import Foundation

/// A stored bearer token as `vidflow token list` shows it: its public id, owner and lifetime — never the
/// token itself (only its SHA-256 is stored).
///
/// ```swift
/// let record = try await store.tokens().first
/// record?.state(at: Date())   // .active, .expired or .revoked
/// ```
public struct AccessTokenRecord: Sendable, Hashable {
    /// Whether a token lets its holder in at a given time.
    public enum State: String, Sendable {
        case active, expired, revoked
    }

    /// The public id (`tok_` and 12 hex digits): what `vidflow token revoke` takes.
    public var id: String
    public var user: ServerUser
    public var createdAt: Date
    /// Nil: never expires.
    public var expiresAt: Date?
    public var revokedAt: Date?
    /// Updated at most once a minute, so a busy token does not write on every request.
    public var lastUsedAt: Date?

    public init(id: String, user: ServerUser, createdAt: Date, expiresAt: Date?, revokedAt: Date?, lastUsedAt: Date?) {
        self.id = id
        self.user = user
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.lastUsedAt = lastUsedAt
    }

    /// Revoked wins over expired; a token is expired from its `expiresAt` instant on.
    public func state(at now: Date) -> State {
        if revokedAt != nil { return .revoked }
        if let expiresAt, expiresAt <= now { return .expired }
        return .active
    }
}
