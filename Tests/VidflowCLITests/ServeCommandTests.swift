import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest

/// `vidflow serve` and `vidflow token create` through the real binary.
final class ServeCommandTests: XCTestCase {
    /// Waits for the ready line on stdout; returns the base URL and the token in it.
    static func readyURL(_ running: RunningCLI, timeout: TimeInterval = 30) throws -> (base: String, token: String) {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let text = (try? String(contentsOfFile: running.stdoutPath, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.contains("ready at http://") }),
               let start = line.range(of: "http://"), let query = line.range(of: "/?token=") {
                return (String(line[start.lowerBound..<query.lowerBound]), String(line[query.upperBound...]))
            }
            usleep(50_000)
        }
        XCTFail("no ready line:\n\(running.finish(timeout: 1))")
        throw CancellationError()
    }

    static func request(_ method: String, _ url: String, token: String?, body: String? = nil) async throws -> (Int, String) {
        var request = URLRequest(url: try XCTUnwrap(URL(string: url)))
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    func testServePrintsAReadyURLOnceServesAndShutsDownGracefullyOnSIGTERM() async throws {
        let world = try CLIWorld()
        let server = try world.start(["serve", "--port", "0"])
        let (base, token) = try Self.readyURL(server)
        let root = try await Self.request("GET", base + "/", token: nil)
        XCTAssertEqual(root.0, 200)
        XCTAssertTrue(root.1.contains("vidflow API is running"))
        let denied = try await Self.request("GET", base + "/v1/workflows", token: nil)
        XCTAssertEqual(denied.0, 401)
        let created = try await Self.request("POST", base + "/v1/workflows", token: token, body: """
            {"definition": {"name": "slow", "stages": [{"id": "a", "uses": "noop", "with": {"sleep_ms": 600}}]}}
            """)
        XCTAssertEqual(created.0, 202, created.1)
        server.kill(SIGTERM)
        let result = server.finish(timeout: 20)
        XCTAssertFalse(result.signalled, "\(result)")
        XCTAssertEqual(result.status, 0, "\(result)")
        let runs = try world.run(["runs", "--json"])
        XCTAssertTrue(runs.stdout.contains("\"completed\""), "the drain lets the running stage finish: \(runs)")

        let again = try world.start(["serve", "--port", "0"])
        try await Task.sleep(for: .seconds(2))
        again.kill(SIGTERM)
        let second = again.finish(timeout: 20)
        XCTAssertFalse(second.stdout.contains("ready at"), "the token URL is printed only on first start")
        let admin = try String(contentsOfFile: world.dataDirectory + "/admin-token", encoding: .utf8)
        XCTAssertEqual(admin.trimmingCharacters(in: .whitespacesAndNewlines), token)
    }

    func testNoAuthOffLoopbackIsRefusedAndTokenCreatePrintsAToken() throws {
        let world = try CLIWorld()
        let refused = try world.run(["serve", "--no-auth", "--host", "0.0.0.0"])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.stderr.contains("loopback"), "\(refused)")
        let token = try world.run(["token", "create", "--user", "alice"])
        XCTAssertEqual(token.status, 0, "\(token)")
        XCTAssertTrue(token.stdout.hasPrefix("vf_"))
        let bad = try world.run(["token", "create", "--user", "a b"])
        XCTAssertEqual(bad.status, 2)
    }
}
