import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import VidflowCore
import VidflowProviders
import XCTest
@testable import VidflowServer

/// `vidflow serve` refuses user-given URLs to non-public addresses by default (issue 12, item 7):
/// image URLs, image.upload sources, callback URLs; the internal service never sees a request.
final class OutboundURLServerTests: XCTestCase {
    /// Runs `body` with an "internal service" on 127.0.0.1 that counts the requests reaching it.
    private func withInternalService(_ body: @escaping @Sendable (_ port: Int, _ hits: HitCounter) async throws -> Void)
        async throws {
        let hits = HitCounter()
        let router = Router()
        router.get("**") { _, _ -> String in
            hits.count.withLock { $0 += 1 }
            return "top secret"
        }
        router.post("**") { _, _ -> String in
            hits.count.withLock { $0 += 1 }
            return "ok"
        }
        let service = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await service.test(.live) { client in
            try await body(try XCTUnwrap(client.port), hits)
        }
    }

    /// This machine's name when it resolves to loopback addresses only (a "public-looking" name for loopback).
    private func loopbackHostName() throws -> String {
        let host = ProcessInfo.processInfo.hostName
        let addresses = (try? OutboundURLGuard.resolve(host)) ?? []
        guard !OutboundURLPolicy.isLocalName(host), !addresses.isEmpty, addresses.allSatisfy({ $0.scope == .loopback }) else {
            throw MachineSetupProblem(description: "this machine's name '\(host)' should resolve to loopback only "
                + "(Debian's /etc/hosts maps it to 127.0.1.1); the DNS path of the URL policy cannot be tested without it")
        }
        return host
    }

    func testImageURLsToLoopbackAreRefusedUpFrontWithTheField() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("alice")
        try await withInternalService { port, hits in
            try await server.test { client in
                for url in ["http://127.0.0.1:\(port)/secret.png", "http://[::1]:\(port)/secret.png", "http://2130706433:\(port)/s.png",
                            "http://0x7f000001:\(port)/s.png", "http://127.1:\(port)/s.png", "http://localhost:\(port)/s.png",
                            "http://169.254.169.254/latest/meta-data/"] {
                    let answer = try await client.json(.post, "/v1/video/generate", token: token,
                                                       body: ["prompt": "a cat", "image_url": .string(url)])
                    XCTAssertEqual(answer.status, .badRequest, url)
                    XCTAssertEqual(answer.body["error"]?["field"], "image_url", url)
                    let message = answer.body["error"]?["message"]?.stringValue ?? ""
                    XCTAssertTrue(message.contains("loopback") || message.contains("names this machine") || message.contains("link-local"),
                                  "\(url): \(message)")
                }
                let callback = try await client.json(.post, "/v1/workflows", token: token, body: [
                    "definition": Docs.pair(), "callback_url": .string("http://127.0.0.1:\(port)/hook")])
                XCTAssertEqual(callback.status, .badRequest)
                XCTAssertEqual(callback.body["error"]?["field"], "callback_url")
                let videoCallback = try await client.json(.post, "/v1/video/generate", token: token, body: [
                    "prompt": "a cat", "callback_url": .string("http://[::1]:\(port)/hook")])
                XCTAssertEqual(videoCallback.status, .badRequest)
                XCTAssertEqual(videoCallback.body["error"]?["field"], "callback_url")
                let runs = try await client.json(.get, "/v1/workflows", token: token)
                XCTAssertEqual(runs.body["items"]?.arrayValue?.count ?? 0, 0, "nothing was created")
            }
            XCTAssertEqual(hits.count.withLock { $0 }, 0, "the internal service received no request")
        }
    }

    func testAnInlineUploadOfALoopbackSourceFailsTheRunWithAReadableReason() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("alice")
        let hostName = try? loopbackHostName()
        try await withInternalService { port, hits in
            try await server.test { client in
                var sources = ["http://localhost:\(port)/secret.png", "http://127.0.0.1:\(port)/secret.png"]
                if let hostName { sources.append("http://\(hostName):\(port)/secret.png") }
                for source in sources {
                    let created = try await client.json(.post, "/v1/workflows", token: token, body: [
                        "definition": ["name": "peek", "stages": [["id": "upload", "uses": "image.upload",
                                                                     "with": ["source": .string(source)]]]]])
                    XCTAssertEqual(created.status, .accepted, "\(created.body)")
                    let id = try XCTUnwrap(created.body["workflow_id"]?.stringValue)
                    let status = try await client.waitForTerminal(id, token: token)
                    XCTAssertEqual(status["status"], "failed")
                    let error = status["stages"]?["upload"]?["error"]
                    XCTAssertEqual(error?["code"], "invalid_input")
                    let message = error?["message"]?.stringValue ?? ""
                    XCTAssertTrue(message.contains("refused to connect to") && message.contains("URL policy"), "\(source): \(message)")
                }
            }
            XCTAssertEqual(hits.count.withLock { $0 }, 0, "the internal service received no request")
        }
    }

    func testAWebhookToANameThatResolvesToLoopbackIsRecordedRefusedAndNotSent() async throws {
        let hostName = try loopbackHostName()
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("alice")
        try await withInternalService { port, hits in
            try await server.test { client in
                let created = try await client.json(.post, "/v1/workflows", token: token, body: [
                    "definition": Docs.pair(), "callback_url": .string("http://\(hostName):\(port)/hook")])
                XCTAssertEqual(created.status, .accepted, "a name is only resolved at delivery: \(created.body)")
                let id = try XCTUnwrap(created.body["workflow_id"]?.stringValue)
                _ = try await client.waitForTerminal(id, token: token)
                var deliveries: [JSONValue] = []
                for _ in 0..<200 where deliveries.isEmpty {
                    deliveries = try await client.json(.get, "/v1/workflows/\(id)/deliveries", token: token)
                        .body["items"]?.arrayValue ?? []
                    try await Task.sleep(for: .milliseconds(20))
                }
                try await Task.sleep(for: .milliseconds(300))   // time for retries, were there any
                deliveries = try await client.json(.get, "/v1/workflows/\(id)/deliveries", token: token).body["items"]?.arrayValue ?? []
                XCTAssertEqual(deliveries.count, 1, "a refused URL is not retried")
                let error = deliveries.first?["error"]?.stringValue ?? ""
                XCTAssertTrue(error.contains("resolves to 127.") && error.contains("loopback"), error)
                XCTAssertEqual(deliveries.first?["succeeded"], false)
            }
            XCTAssertEqual(hits.count.withLock { $0 }, 0, "the loopback receiver got nothing")
        }
    }

    func testAnUnsignedFalCallbackIsAnsweredAtOnceWithoutFetchingKeys() async throws {
        let server = try TestServer()
        defer { server.remove() }
        try await server.test { client in
            let started = Date()
            for _ in 0..<20 {
                let answer = try await client.raw(.post, "/v1/callbacks/fal", token: nil, text: "{}")
                XCTAssertEqual(answer.status, .unauthorized)
                XCTAssertEqual(answer.body["error"]?["code"], "invalid_signature")
            }
            XCTAssertLessThan(Date().timeIntervalSince(started), 5, "20 forged callbacks are answered in well under a second each")
        }
    }
}

/// Requests that reached the "internal service".
final class HitCounter: Sendable {
    let count = Mutex(0)
}

/// The machine lacks what a test needs: the test fails saying what (it never skips, so CI cannot hide it).
private struct MachineSetupProblem: Error, CustomStringConvertible {
    var description: String
}
