import Foundation
#if canImport(Glibc)
import Glibc
#endif
import XCTest

/// `vidflow serve` ends on SIGTERM within its drain timeout even while a request is stuck in flight
/// (issue 12, item 6), and its flags for the URL policy and deadlines are checked.
final class ServeShutdownTests: XCTestCase {
    /// A raw connection that sends a request's head and the start of a body that never completes.
    private final class StalledRequest {
        let socket: Int32

        init(port: Int, head: String, partialBody: String) throws {
            socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port)).bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw CancellationError() }
            let text = head + partialBody
            _ = text.withCString { send(socket, $0, strlen($0), 0) }
            var wait = timeval(tv_sec: 15, tv_usec: 0)
            setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        }

        /// Whatever the server answered before closing (empty when it did not answer).
        func answer() -> String {
            var data = [UInt8](repeating: 0, count: 4096)
            var text = ""
            while true {
                let count = recv(socket, &data, data.count, 0)
                if count <= 0 { break }
                text += String(decoding: data[0..<count], as: UTF8.self)
            }
            return text
        }

        deinit { close(socket) }
    }

    func testSIGTERMEndsTheServerWithinTheDrainTimeoutWhileARequestIsStuck() async throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        let server = try world.start(["serve", "--port", "0", "--request-timeout", "120"])
        let (base, token) = try ServeCommandTests.readyURL(server)
        let port = try XCTUnwrap(URL(string: base)?.port)
        // A create whose body is announced as 100 000 bytes but stops after 10: the handler waits for the rest.
        let stalled = try StalledRequest(port: port, head: "POST /v1/workflows HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                             + "Authorization: Bearer \(token)\r\nContent-Type: application/json\r\n"
                                             + "Content-Length: 100000\r\n\r\n", partialBody: "{\"definiti")
        try await Task.sleep(for: .milliseconds(500))
        XCTAssertTrue(server.process.isRunning)
        let signalled = Date()
        server.kill(SIGTERM)
        let result = server.finish(timeout: 30)
        let elapsed = Date().timeIntervalSince(signalled)
        XCTAssertFalse(result.signalled, "\(result)")
        XCTAssertEqual(result.status, 0, "\(result)")
        // The drain timeout is 5 s; a stuck request gets half of it, then is answered 503.
        XCTAssertLessThan(elapsed, 5 + 3, "exited \(elapsed) s after SIGTERM")
        let answer = stalled.answer()
        XCTAssertTrue(answer.isEmpty || answer.contains("503"), "the stuck client is told, or simply closed: \(answer)")
        print("vidflow serve exited \(String(format: "%.2f", elapsed)) s after SIGTERM with a request in flight; the client saw: "
              + (answer.split(separator: "\r\n").first.map(String.init) ?? "(closed)"))
    }

    func testBadURLPolicyAndTimeoutFlagsAreRefusedWithOneLine() throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        let range = try world.run(["serve", "--port", "0", "--allow-private-range", "10.0.0.0/8,not-a-range"])
        XCTAssertEqual(range.status, 2, "\(range)")
        XCTAssertTrue(range.stderr.contains("'not-a-range' is not a CIDR range"), range.stderr)
        let timeout = try world.run(["serve", "--port", "0", "--request-timeout", "0"])
        XCTAssertEqual(timeout.status, 2, "\(timeout)")
        XCTAssertTrue(timeout.stderr.contains("--request-timeout"), timeout.stderr)
    }
}
