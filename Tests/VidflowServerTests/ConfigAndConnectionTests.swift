import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import VidflowCore
import XCTest

/// `GET /v1/config`'s effective provider settings, `test-connection` without a key or without an answer, and the
/// 416 answer's request id.
final class ConfigAndConnectionTests: XCTestCase {
    func testGetConfigReportsEveryProvidersEffectiveCredentialsMaskedWithTheirSource() async throws {
        var server = try TestServer()
        defer { server.remove() }
        server.arguments.providerEnvironment = ["RUNWAY_API_KEY": "key_env_secret_runway_1234",
                                                "VIDFLOW_FAL_BASE_URL": "https://relay.example/fal"]
        let admin = try await server.token("admin", admin: true)
        try await server.test { client in
            let before = try await client.json(.get, "/v1/config", token: admin)
            XCTAssertEqual(before.status, .ok)
            XCTAssertEqual(before.body["max_concurrency"], 3, "today's fields stay")
            XCTAssertEqual(before.body["provider_api_keys"], [:])
            let runway = before.body["provider_settings"]?["runway"]
            XCTAssertEqual(runway?["configured"], true, "\(before.body)")
            XCTAssertEqual(runway?["source"], "env")
            XCTAssertEqual(runway?["variable"], "RUNWAY_API_KEY")
            XCTAssertEqual(runway?["api_key"], "ke****1234")
            let openai = before.body["provider_settings"]?["openai"]
            XCTAssertEqual(openai?["configured"], false)
            XCTAssertEqual(openai?["source"], .null)
            XCTAssertEqual(openai?["api_key"], .null)
            XCTAssertEqual(before.body["provider_settings"]?["fal"]?["base_url"], "https://relay.example/fal")
            XCTAssertEqual(before.body["provider_settings"]?["vertex"]?["configured"], false)

            let saved = try await client.json(.put, "/v1/config", token: admin, body: [
                "provider_api_keys": ["openai": "sk-stored-secret-5678", "runway": "key_stored_secret_runway_9999"],
            ])
            XCTAssertEqual(saved.status, .ok)
            XCTAssertEqual(saved.body["provider_settings"]?["openai"]?["source"], "stored")
            XCTAssertEqual(saved.body["provider_settings"]?["openai"]?["configured"], true)
            XCTAssertEqual(saved.body["provider_settings"]?["openai"]?["api_key"], "sk-****5678")
            let after = try await client.json(.get, "/v1/config", token: admin)
            XCTAssertEqual(after.body["provider_settings"]?["runway"]?["source"], "stored", "saved keys win over the environment")
            XCTAssertEqual(after.body["provider_settings"]?["runway"]?["api_key"], "ke****9999")
            XCTAssertNil(after.body["provider_settings"]?["runway"]?["variable"])
            for text in [before.body.canonicalJSON, saved.body.canonicalJSON, after.body.canonicalJSON] {
                XCTAssertFalse(text.contains("secret"), "a key in clear: \(text)")
            }
        }
    }

    func testTestConnectionWithoutAKeyAnswersAtOnceWithoutTouchingTheNetwork() async throws {
        let listener = try SilentListener()
        defer { listener.close() }
        var server = try TestServer()
        defer { server.remove() }
        server.arguments.providerEnvironment = ["VIDFLOW_OPENAI_BASE_URL": listener.url, "VIDFLOW_RUNWAY_BASE_URL": listener.url]
        let token = try await server.token("alice")
        try await server.test(.live) { client in
            for name in ["openai", "runway", "vertex"] {
                let started = Date()
                let answer = try await client.json(.post, "/v1/providers/\(name)/test-connection", token: token)
                XCTAssertLessThan(Date().timeIntervalSince(started), 5, "\(name) answers at once")
                XCTAssertEqual(answer.status, .ok)
                XCTAssertEqual(answer.body["ok"], false)
                XCTAssertEqual(answer.body["error"]?["code"], "auth")
                XCTAssertTrue(answer.body["error"]?["message"]?.stringValue?.hasPrefix("no API key configured") == true,
                              "\(answer.body)")
            }
        }
        XCTAssertEqual(listener.pendingConnections(), 0, "nothing was sent to the provider")
    }

    func testTestConnectionGivesUpOnAProviderThatDoesNotAnswer() async throws {
        let listener = try SilentListener()
        defer { listener.close() }
        var server = try TestServer()
        defer { server.remove() }
        server.arguments.providerEnvironment = ["OPENAI_API_KEY": "sk-test-key-0000", "VIDFLOW_OPENAI_BASE_URL": listener.url]
        server.arguments.connectionTestTimeout = .seconds(1)
        let token = try await server.token("alice")
        try await server.test(.live) { client in
            let started = Date()
            let answer = try await client.json(.post, "/v1/providers/openai/test-connection", token: token)
            XCTAssertLessThan(Date().timeIntervalSince(started), 10, "bounded by the connection test's limit")
            XCTAssertEqual(answer.status, .ok, "a result, not the request timeout: \(answer.body)")
            XCTAssertEqual(answer.body["ok"], false)
            XCTAssertEqual(answer.body["error"]?["code"], "timeout")
        }
        XCTAssertGreaterThan(listener.pendingConnections(), 0, "the provider was really called")
    }

    func testA416AnswerCarriesTheRequestIDAndContentRange() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let alice = try await server.token("alice")
        try await server.test(.live) { client in
            let uploaded = try await FileEndpointTests.upload(client, token: alice, path: "clips/a.bin", data: Data(count: 100))
            XCTAssertEqual(uploaded.status, .created)
            var headers: HTTPFields = [.authorization: "Bearer \(alice)", .range: "bytes=5000-"]
            headers[try XCTUnwrap(HTTPField.Name("X-Request-ID"))] = "req-range-416"
            let outside = try await client.executeRequest(uri: "/v1/files/download/default/clips/a.bin", method: .get,
                                                          headers: headers, body: nil)
            XCTAssertEqual(outside.status, .rangeNotSatisfiable)
            XCTAssertEqual(outside.headers[.contentRange], "bytes */100")
            let body = TestResponse.json(outside)
            XCTAssertEqual(body["error"]?["code"], "range_not_satisfiable")
            XCTAssertEqual(body["error"]?["field"], "Range")
            XCTAssertEqual(body["error"]?["request_id"], "req-range-416")
            let head = try await client.executeRequest(uri: "/v1/files/download/default/clips/a.bin", method: .head,
                                                       headers: headers, body: nil)
            XCTAssertEqual(head.status, .rangeNotSatisfiable)
            XCTAssertEqual(head.headers[.contentRange], "bytes */100")
        }
    }
}

/// A TCP port on 127.0.0.1 that takes connections into its backlog and never answers: a provider that hangs.
/// `pendingConnections` counts (and closes) the connections made to it.
final class SilentListener: @unchecked Sendable {
    let descriptor: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, bound == 0, listen(fd, 16) == 0 else { throw CocoaError(.fileWriteUnknown) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        descriptor = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    var url: String { "http://127.0.0.1:\(port)" }

    func pendingConnections() -> Int {
        var count = 0
        while true {
            let connection = accept(descriptor, nil, nil)
            guard connection >= 0 else { return count }
            count += 1
            _ = Glibc.close(connection)
        }
    }

    func close() { _ = Glibc.close(descriptor) }
}
