import Foundation
import GRDB
@testable import VidflowStore
import XCTest

/// `v3-tokens` gives tokens made before it a public id, and keeps them working, never expiring.
final class TokenMigrationTests: XCTestCase {
    func testTokensFromBeforeTheMigrationGetAnIdAndStayActive() async throws {
        let directory = NSTemporaryDirectory() + "vidflow-tokens-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/vidflow.sqlite"
        let hash = String(repeating: "ab", count: 32)
        do {
            let old = try DatabasePool(path: path)
            try StoreDatabase.migrator.migrate(old, upTo: "v2-server")
            try await old.write { db in
                try db.execute(sql: "INSERT INTO users (id, name, is_admin, created_at) VALUES ('usr_1', 'admin', 1, 1)")
                try db.execute(sql: "INSERT INTO tokens (sha256, user_id, created_at) VALUES (?, 'usr_1', 2)", arguments: [hash])
            }
            try old.close()
        }
        let store = try SQLiteWorkflowStore(path: path)
        let tokens = try await store.tokens()
        XCTAssertEqual(tokens.map(\.id), ["tok_abababababab"])
        XCTAssertEqual(tokens.first?.user.name, "admin")
        XCTAssertNil(tokens.first?.expiresAt)
        XCTAssertEqual(tokens.first?.state(at: Date()), .active)
        let found = try await store.token(sha256: hash)
        XCTAssertEqual(found?.id, "tok_abababababab")
        let count = try await store.tokenCount()
        XCTAssertEqual(count, 1)
    }
}
