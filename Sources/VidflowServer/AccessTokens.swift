import Crypto
import Foundation
import VidflowStore

/// Makes bearer tokens and their SHA-256 hashes; only hashes reach the database.
public enum AccessTokens {
    /// A new random token: `vf_` and 64 hex digits.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "vf_" + bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// The hex SHA-256 of a token, as stored.
    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Creates a token for the user `name` (created when missing) and returns it; only its hash is stored.
    public static func create(for name: String, isAdmin: Bool = false, in store: SQLiteWorkflowStore) async throws -> String {
        try await issue(for: name, isAdmin: isAdmin, expiresAt: nil, in: store).token
    }

    /// Creates a token valid until `expiresAt` (nil: never expires) for the user `name` (created when
    /// missing); returns the token (shown once) and its public id.
    public static func issue(for name: String, isAdmin: Bool, expiresAt: Date?,
                             in store: SQLiteWorkflowStore) async throws -> (token: String, id: String, user: ServerUser) {
        let user = try await store.user(named: name, createAsAdmin: isAdmin)
        let token = generate()
        let id = SQLiteWorkflowStore.newTokenID()
        try await store.addToken(sha256: hash(token), userID: user.id, id: id, expiresAt: expiresAt)
        return (token, id, user)
    }

    /// On a server's first start (no token yet): an admin token, written to `<data>/admin-token` (mode 0600).
    /// Returns the new token, or nil when tokens already exist.
    static func bootstrap(store: SQLiteWorkflowStore, dataDirectory: String) async throws -> String? {
        guard try await store.tokenCount() == 0 else { return nil }
        let token = try await create(for: "admin", isAdmin: true, in: store)
        let path = dataDirectory + "/admin-token"
        guard FileManager.default.createFile(atPath: path, contents: Data((token + "\n").utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw ServerStartError(description: "cannot write the admin token to '\(path)'")
        }
        return token
    }
}
