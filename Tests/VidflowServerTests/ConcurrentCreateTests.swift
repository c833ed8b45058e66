import AsyncHTTPClient
import Foundation
import HummingbirdTesting
import NIOCore
import VidflowCore
import VidflowStore
import XCTest

/// 100 `POST /v1/workflows` at once over real HTTP: creates that arrive together share one SQLite
/// transaction (group commit), and each is still answered only once its run is durable.
final class ConcurrentCreateTests: XCTestCase {
    static let definition = #"{"definition": {"name": "noop", "stages": [{"id": "a", "uses": "noop"}, {"id": "b", "uses": "noop", "needs": ["a"]}]}}"#

    /// Posts `count` creates at once with `client`; returns each answer's status and workflow id.
    static func createAtOnce(_ count: Int, port: Int, token: String, client: HTTPClient,
                             afterEach: @escaping @Sendable (String) async throws -> Void = { _ in }) async throws -> [(UInt, String?)] {
        try await withThrowingTaskGroup(of: (UInt, String?).self) { group in
            for _ in 0..<count {
                group.addTask {
                    var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/workflows")
                    request.method = .POST
                    request.headers.add(name: "Content-Type", value: "application/json")
                    request.headers.add(name: "Authorization", value: "Bearer \(token)")
                    request.body = .bytes(ByteBuffer(string: definition))
                    let response = try await client.execute(request, timeout: .seconds(30))
                    let body = try JSONValue.parse(String(buffer: try await response.body.collect(upTo: 1 << 20)))
                    let id = body["workflow_id"]?.stringValue
                    if response.status.code == 202, let id { try await afterEach(id) }
                    return (response.status.code, id)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    static func client(connections: Int) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func testHundredConcurrentCreatesAreEachAcceptedWithTheirOwnIdDurableOnAnswerAndComplete() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("alice")
        // A second connection pool on the same file: a run it sees was committed, not merely queued.
        let reader = try SQLiteWorkflowStore(path: server.arguments.dataDirectory + "/vidflow.sqlite")
        let http = Self.client(connections: 100)
        do {
            try await server.test(.live) { client in
                let port = try XCTUnwrap(client.port)
                let answers = try await Self.createAtOnce(100, port: port, token: token, client: http) { id in
                    let run = try await reader.run(id)
                    XCTAssertNotNil(run, "run \(id) answered 202 but is not in the database")
                }
                XCTAssertEqual(answers.map(\.0), Array(repeating: 202, count: 100))
                let ids = answers.compactMap(\.1)
                XCTAssertEqual(Set(ids).count, 100, "every create gets its own workflow id")
                for id in ids {
                    let status = try await client.waitForTerminal(id, token: token, timeout: 60)
                    XCTAssertEqual(status["status"]?.stringValue, "completed", "run \(id)")
                }
                for id in ids {
                    let owner = try await reader.owner(ofRun: id)
                    XCTAssertNotNil(owner, "run \(id) belongs to the user who created it")
                }
            }
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    func testRunsAnsweredBeforeTheServerStopsAreAllInTheStoreAfterwards() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("alice")
        let http = Self.client(connections: 100)
        let ids: [String]
        do {
            // The server stops as soon as the last answer arrives, runs still executing.
            ids = try await server.test(.live) { client in
                let answers = try await Self.createAtOnce(100, port: try XCTUnwrap(client.port), token: token, client: http)
                XCTAssertEqual(answers.map(\.0), Array(repeating: 202, count: 100))
                return answers.compactMap(\.1)
            }
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
        XCTAssertEqual(Set(ids).count, 100)
        let store = try SQLiteWorkflowStore(path: server.arguments.dataDirectory + "/vidflow.sqlite")
        for id in ids {
            let run = try await store.run(id)
            XCTAssertNotNil(run, "run \(id) was answered 202 but is missing after the server stopped")
            let stages = try await store.stages(of: id)
            XCTAssertEqual(stages.map(\.stageID), ["a", "b"], "run \(id) has its planned stages")
        }
    }
}
