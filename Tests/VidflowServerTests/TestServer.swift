import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import VidflowCore
import VidflowServer
import VidflowStore
import XCTest

/// A server world for one test: a temp data directory, tokens for users, and the app built from it.
struct TestServer {
    let directory: String
    var arguments: ServerArguments

    /// `allowPrivateURLs`: let user-given URLs reach loopback fakes (as `--allow-private-urls` does);
    /// off by default, like `vidflow serve`.
    init(auth: Bool = true, allowPrivateURLs: Bool = false) throws {
        directory = NSTemporaryDirectory() + "vidflow-server-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/workflows", withIntermediateDirectories: true)
        arguments = ServerArguments(host: "127.0.0.1", port: 0, dataDirectory: directory + "/data",
                                    workflowsDirectory: directory + "/workflows", auth: auth,
                                    eventPollInterval: .milliseconds(20), webhookPollInterval: .milliseconds(20),
                                    webhookBackoff: [.milliseconds(50), .milliseconds(50)],
                                    webhookSecret: "whsec_" + Data("test-secret-0123456789".utf8).base64EncodedString(),
                                    drainTimeout: .milliseconds(200), announce: false)
        arguments.providerEnvironment = [:]   // never a real provider key from the developer's shell
        if allowPrivateURLs { arguments.urlPolicy = .unrestricted }
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    /// A token for `user` (created if new), made before the app starts.
    func token(_ user: String, admin: Bool = false) async throws -> String {
        try FileManager.default.createDirectory(atPath: arguments.dataDirectory, withIntermediateDirectories: true)
        let store = try SQLiteWorkflowStore(path: arguments.dataDirectory + "/vidflow.sqlite")
        return try await AccessTokens.create(for: user, isAdmin: admin, in: store)
    }

    func writeWorkflow(_ name: String, _ text: String) throws {
        try text.write(toFile: directory + "/workflows/\(name).yaml", atomically: true, encoding: .utf8)
    }

    /// Builds the app and runs `body` against it (recording its answers with `VIDFLOW_RECORD_RESPONSES`).
    func test<Value: Sendable>(_ kind: TestingSetup = .router,
                               _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        let app = try await buildApplication(arguments)
        return try await app.test(kind) { client in
            try await body(ResponseRecorder.suite.map { RecordingClient(base: client, recorder: $0) } ?? client)
        }
    }
}

/// Small helpers for requests and JSON answers.
extension TestClientProtocol {
    func json(_ method: HTTPRequest.Method, _ uri: String, token: String?, body: JSONValue? = nil,
              headers extra: HTTPFields = [:]) async throws -> (status: HTTPResponse.Status, body: JSONValue) {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil { headers[.contentType] = "application/json" }
        let response = try await executeRequest(uri: uri, method: method, headers: headers,
                                                body: body.map { ByteBuffer(string: $0.canonicalJSON) })
        return (response.status, Self.parse(response.body))
    }

    func raw(_ method: HTTPRequest.Method, _ uri: String, token: String?, text: String) async throws
        -> (status: HTTPResponse.Status, body: JSONValue) {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        let response = try await executeRequest(uri: uri, method: method, headers: headers, body: ByteBuffer(string: text))
        return (response.status, Self.parse(response.body))
    }

    static func parse(_ buffer: ByteBuffer) -> JSONValue {
        (try? JSONValue.parse(String(buffer: buffer))) ?? .string(String(buffer: buffer))
    }

    /// Polls the status endpoint until the run is terminal.
    func waitForTerminal(_ id: String, token: String?, timeout: TimeInterval = 10) async throws -> JSONValue {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let (status, body) = try await json(.get, "/v1/workflows/status/\(id)", token: token)
            if status == .ok, let state = body["status"]?.stringValue, ["completed", "failed", "cancelled"].contains(state) {
                return body
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        XCTFail("run \(id) did not finish in time")
        return .null
    }
}

