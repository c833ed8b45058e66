import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import VidflowCore
import VidflowServer
import VidflowStore
import XCTest

/// Tokens expire and can be revoked, and both take effect on the very next request.
final class TokenLifetimeTests: XCTestCase {
    /// The same database file the server uses, opened on its own as `vidflow token …` would.
    static func store(_ server: TestServer) throws -> SQLiteWorkflowStore {
        try FileManager.default.createDirectory(atPath: server.arguments.dataDirectory, withIntermediateDirectories: true)
        return try SQLiteWorkflowStore(path: server.arguments.dataDirectory + "/vidflow.sqlite")
    }

    func testAnExpiredTokenGets401SayingItExpired() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let store = try Self.store(server)
        let expired = try await AccessTokens.issue(for: "alice", isAdmin: false, expiresAt: Date().addingTimeInterval(-1), in: store)
        let soon = try await AccessTokens.issue(for: "alice", isAdmin: false, expiresAt: Date().addingTimeInterval(1.5), in: store)
        let lasting = try await AccessTokens.issue(for: "alice", isAdmin: false, expiresAt: Date().addingTimeInterval(3600), in: store)
        try await server.test { client in
            let refused = try await client.json(.get, "/v1/workflows", token: expired.token)
            XCTAssertEqual(refused.status, .unauthorized)
            XCTAssertEqual(refused.body["error"]?["code"], "token_expired")
            XCTAssertTrue(refused.body["error"]?["message"]?.stringValue?.contains("expired") ?? false)
            XCTAssertFalse(refused.body.canonicalJSON.contains(expired.token), "the answer never repeats the token")
            let byQuery = try await client.json(.get, "/v1/workflows?token=\(expired.token)", token: nil)
            XCTAssertEqual(byQuery.status, .unauthorized)

            let before = try await client.json(.get, "/v1/workflows", token: soon.token)
            XCTAssertEqual(before.status, .ok)
            try await Task.sleep(for: .milliseconds(1700))
            let after = try await client.json(.get, "/v1/workflows", token: soon.token)
            XCTAssertEqual(after.status, .unauthorized, "the token expires while the server runs")
            XCTAssertEqual(after.body["error"]?["code"], "token_expired")

            let fine = try await client.json(.get, "/v1/workflows", token: lasting.token)
            XCTAssertEqual(fine.status, .ok)
            let health = try await client.json(.get, "/api/v1/monitoring/health", token: expired.token)
            XCTAssertEqual(health.status, .ok, "public routes stay public whatever the token")
        }
    }

    func testARevokedTokenGets401AtOnceWhileTheServerRuns() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let store = try Self.store(server)
        let alice = try await AccessTokens.issue(for: "alice", isAdmin: false, expiresAt: nil, in: store)
        let other = try await AccessTokens.issue(for: "alice", isAdmin: false, expiresAt: nil, in: store)
        try await server.test { client in
            let before = try await client.json(.get, "/v1/workflows", token: alice.token)
            XCTAssertEqual(before.status, .ok)
            // Revoked through another connection to the database, as `vidflow token revoke` does.
            let revoked = try await Self.store(server).revokeToken(id: alice.id)
            XCTAssertEqual(revoked?.state(at: Date()), .revoked)
            let after = try await client.json(.get, "/v1/workflows", token: alice.token)
            XCTAssertEqual(after.status, .unauthorized)
            XCTAssertEqual(after.body["error"]?["code"], "token_revoked")
            XCTAssertTrue(after.body["error"]?["message"]?.stringValue?.contains("revoked") ?? false)
            let sibling = try await client.json(.get, "/v1/workflows", token: other.token)
            XCTAssertEqual(sibling.status, .ok, "only the revoked token is refused, not its user")
        }
    }

    func testTheListShowsIdsStatesAndLastUseButNeverTheToken() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let store = try Self.store(server)
        let alice = try await AccessTokens.issue(for: "alice", isAdmin: false, expiresAt: Date().addingTimeInterval(86_400), in: store)
        let root = try await AccessTokens.issue(for: "root", isAdmin: true, expiresAt: nil, in: store)
        try await server.test { client in
            _ = try await client.json(.get, "/v1/workflows", token: alice.token)
        }
        _ = try await store.revokeToken(id: root.id)
        let tokens = try await store.tokens()
        XCTAssertEqual(tokens.map(\.id), [alice.id, root.id])
        XCTAssertTrue(tokens.allSatisfy { $0.id.hasPrefix("tok_") && $0.id.count == 16 })
        XCTAssertEqual(tokens.map(\.user.name), ["alice", "root"])
        XCTAssertEqual(tokens.map { $0.state(at: Date()) }, [.active, .revoked])
        XCTAssertNotNil(tokens[0].lastUsedAt, "a request records the token's last use")
        XCTAssertNil(tokens[1].lastUsedAt)
        XCTAssertNil(tokens[1].expiresAt, "no expiry: never expires")
        XCTAssertFalse("\(tokens)".contains(alice.token) || "\(tokens)".contains(root.token))
        XCTAssertFalse("\(tokens)".contains(AccessTokens.hash(alice.token)), "not even the hash is listed")
    }
}
