import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest

/// `vidflow token create/list/revoke` through the real binary, and their effect on a running `vidflow serve`.
final class TokenCommandTests: XCTestCase {
    func testCreateListAndRevokeShowIdsAndStatesButNeverTheToken() throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        let lasting = try world.run(["token", "create", "--user", "alice", "--expires", "30d"])
        XCTAssertEqual(lasting.status, 0, "\(lasting)")
        let aliceToken = lasting.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(aliceToken.hasPrefix("vf_"), "stdout is the token alone: \(lasting)")
        XCTAssertTrue(lasting.stderr.contains("expires 20"), "\(lasting)")
        let forever = try world.run(["token", "create", "--admin", "--json"])
        XCTAssertEqual(forever.status, 0, "\(forever)")
        let made = try XCTUnwrap(forever.json)
        XCTAssertEqual(made["user"] as? String, "admin")
        XCTAssertTrue(made["expires_at"] is NSNull, "no --expires: never expires")
        let adminID = try XCTUnwrap(made["id"] as? String)
        let adminToken = try XCTUnwrap(made["token"] as? String)
        let never = try world.run(["token", "create", "--user", "bob"])
        XCTAssertTrue(never.stderr.contains("never expires"), "says so when the token never expires: \(never)")

        let list = try world.run(["token", "list", "--json"])
        XCTAssertEqual(list.status, 0, "\(list)")
        let items = try XCTUnwrap(list.json?["tokens"] as? [[String: Any]])
        XCTAssertEqual(items.map { $0["user"] as? String }, ["alice", "admin", "bob"])
        XCTAssertEqual(items.map { $0["state"] as? String }, ["active", "active", "active"])
        XCTAssertNotNil(items[0]["expires_at"] as? String)
        XCTAssertTrue(items[1]["expires_at"] is NSNull)
        XCTAssertFalse(list.stdout.contains("vf_"), "the list never shows a token: \(list)")
        let table = try world.run(["token", "list"])
        XCTAssertTrue(table.stdout.contains(adminID) && table.stdout.contains("never"), "\(table)")
        XCTAssertFalse(table.stdout.contains(aliceToken) || table.stdout.contains(adminToken))

        let revoke = try world.run(["token", "revoke", adminID])
        XCTAssertEqual(revoke.status, 0, "\(revoke)")
        XCTAssertTrue(revoke.stdout.contains("revoked \(adminID)"), "\(revoke)")
        let after = try world.run(["token", "list", "--json"])
        let states = (after.json?["tokens"] as? [[String: Any]])?.map { $0["state"] as? String }
        XCTAssertEqual(states, ["active", "revoked", "active"])
    }

    func testBadTokenArgumentsFailWithOneReadableLine() throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        for arguments in [["token", "create", "--user", "alice", "--expires", "30x"],
                          ["token", "create", "--user", "alice", "--expires", "0d"],
                          ["token", "create"],
                          ["token", "revoke", "tok_000000000000"],
                          ["token", "revoke", "vf_0123"]] {
            let result = try world.run(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result)")
            XCTAssertEqual(result.stderrLines.count, 1, "\(arguments): \(result)")
            XCTAssertTrue(result.stderr.hasPrefix("vidflow: error: "), "\(arguments): \(result)")
        }
    }

    func testARevokedTokenIsRefusedAtOnceByARunningServer() async throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        let server = try world.start(["serve", "--port", "0"])
        defer { server.kill(SIGTERM); _ = server.finish(timeout: 20) }
        let (base, _) = try ServeCommandTests.readyURL(server)
        let made = try world.run(["token", "create", "--user", "carol", "--json"])
        let token = try XCTUnwrap(made.json?["token"] as? String)
        let id = try XCTUnwrap(made.json?["id"] as? String)
        let before = try await ServeCommandTests.request("GET", base + "/v1/workflows", token: token)
        XCTAssertEqual(before.0, 200, before.1)
        let revoke = try world.run(["token", "revoke", id])
        XCTAssertEqual(revoke.status, 0, "\(revoke)")
        let after = try await ServeCommandTests.request("GET", base + "/v1/workflows", token: token)
        XCTAssertEqual(after.0, 401)
        XCTAssertTrue(after.1.contains("token_revoked"), after.1)
        let used = try world.run(["token", "list", "--json"])
        let carol = (used.json?["tokens"] as? [[String: Any]])?.first { $0["user"] as? String == "carol" }
        XCTAssertNotNil(carol?["last_used_at"] as? String, "the server recorded the token's use: \(used)")
    }
}
