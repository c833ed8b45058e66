import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import VidflowCore
import XCTest
@testable import VidflowServer

/// Every request has a server-side deadline (issue 12, item 6).
final class RequestDeadlineTests: XCTestCase {
    /// A router whose `/stuck` handler ignores cancellation for 3 s (like blocking work would).
    private func application(timeout: Duration) -> some ApplicationProtocol {
        let router = Router(context: ServerRequestContext.self)
        router.get("fast") { _, _ in "fast" }
        router.get("stuck") { _, _ -> String in
            // A continuation is not cancelled: the handler waits the full 3 s whatever happens.
            await withCheckedContinuation { done in DispatchQueue.global().asyncAfter(deadline: .now() + 3) { done.resume() } }
            return "too late"
        }
        router.post("upload") { request, _ -> String in
            try await Task.sleep(for: .milliseconds(600))
            return "stored \(try await request.body.collect(upTo: 1 << 20).readableBytes)"
        }
        let responder = RequestDeadlineResponder(base: router.buildResponder(), timeout: timeout,
                                                 uploadTimeout: .seconds(10), shutdownGrace: .seconds(1))
        return Application(responder: responder)
    }

    func testAStuckHandlerIsAnswered503WithTheJSONBodyAtTheDeadline() async throws {
        try await application(timeout: .milliseconds(300)).test(.router) { client in
            let fast = try await client.executeRequest(uri: "/fast", method: .get, headers: [:], body: nil)
            XCTAssertEqual(fast.status, .ok)
            let started = Date()
            let stuck = try await client.executeRequest(uri: "/stuck", method: .get, headers: [:], body: nil)
            let elapsed = Date().timeIntervalSince(started)
            XCTAssertEqual(stuck.status, .serviceUnavailable)
            let body = try JSONValue.parse(String(buffer: stuck.body))
            XCTAssertEqual(body["error"]?["code"], "request_timeout")
            XCTAssertTrue(body["error"]?["message"]?.stringValue?.contains("0.3 s") ?? false, "\(body)")
            XCTAssertLessThan(elapsed, 2, "answered at the deadline, not when the handler gave up")
        }
    }

    func testUploadsHaveTheirOwnLongerLimit() async throws {
        try await application(timeout: .milliseconds(300)).test(.router) { client in
            let upload = try await client.executeRequest(uri: "/upload", method: .post,
                                                         headers: [.contentType: "application/octet-stream"],
                                                         body: ByteBuffer(string: "12345"))
            XCTAssertEqual(upload.status, .ok)
            XCTAssertEqual(String(buffer: upload.body), "stored 5")
        }
    }
}
