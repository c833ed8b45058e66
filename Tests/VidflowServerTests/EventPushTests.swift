import AsyncHTTPClient
import Foundation
import Synchronization
import VidflowCore
import VidflowEngine
import VidflowStore
import XCTest

/// Pushed events (`EventHub` → `EventStreamSession`): under load, resumed, with a stalled client, and
/// with runs another process executes.
final class EventPushTests: XCTestCase {
    private static func storedIDs(_ server: TestServer, runs: [String]) async throws -> [String: [Int64]] {
        let store = try SQLiteWorkflowStore(path: server.arguments.dataDirectory + "/vidflow.sqlite")
        var ids: [String: [Int64]] = [:]
        for run in runs { ids[run] = try await store.events(runID: run, after: 0, limit: 100_000).map(\.id) }
        return ids
    }

    /// The load test of `make test`: correctness only, no timings.
    func testTwoHundredStreamsWhileAHundredCreatesArePostedEachGetEveryEventOfItsRunInOrder() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("alice")
        try await server.test(.live) { client in
            let streams = StreamClient(port: try XCTUnwrap(client.port), token: token, connections: 400)
            do {
                var runs: [String] = []
                for _ in 0..<20 {
                    let created = try await streams.create(["definition": Docs.pair(sleepMs: 1_500)])
                    runs.append(try XCTUnwrap(created.id))
                }
                let connected = ConnectedStreams()
                let runIDs = runs
                let reading = Task {
                    try await withThrowingTaskGroup(of: (String, [SSEFrame]).self) { group in
                        for index in 0..<200 {
                            let run = runIDs[index % runIDs.count]
                            group.addTask {
                                let frames = try await streams.read("/v1/workflows/\(run)/events",
                                                                    onFrame: { _ in connected.note(index) })
                                return (run, frames)
                            }
                        }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                }
                let deadline = ContinuousClock.now + .seconds(30)
                while connected.count < 200, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(10))
                }
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<100 { group.addTask { try await streams.create(["definition": Docs.pair()]).status } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                XCTAssertEqual(statuses, Array(repeating: 202, count: 100))
                let logs = try await reading.value
                let stored = try await Self.storedIDs(server, runs: runs)
                XCTAssertEqual(logs.count, 200)
                var firstByRun: [String: [SSEFrame]] = [:]
                for (run, frames) in logs {
                    XCTAssertEqual(frames.map(\.id), stored[run], "run \(run): every stored event once, in order")
                    XCTAssertEqual(frames.last?.event, "done")
                    // Pushed and replayed frames are the same bytes: every stream of a run got the same frames.
                    if let first = firstByRun[run] { XCTAssertEqual(frames, first) } else { firstByRun[run] = frames }
                }
            } catch {
                try await streams.shutdown()
                throw error
            }
            try await streams.shutdown()
        }
    }

    func testResumingMidRunWithLastEventIDGetsExactlyTheMissingEvents() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("alice")
        try await server.test(.live) { client in
            let streams = StreamClient(port: try XCTUnwrap(client.port), token: token, connections: 8)
            do {
                let created = try await streams.create(["definition": Docs.pair(sleepMs: 1_500)])
                let id = try XCTUnwrap(created.id)
                let path = "/v1/workflows/\(id)/events"
                // Stop reading once stage a runs: the run is mid-way (a sleeps 1.5 s).
                let head = try await streams.read(path, stop: { $0.data["stage"] == "a" && $0.data["status"] == "running" })
                let last = try XCTUnwrap(head.last?.id)
                let status = try await client.json(.get, "/v1/workflows/status/\(id)", token: token)
                XCTAssertEqual(status.body["status"], "running")
                let tail = try await streams.read(path, lastEventID: last)
                let whole = try await streams.read(path)
                let stored = try await Self.storedIDs(server, runs: [id])[id]
                XCTAssertEqual(whole.map(\.id), stored)
                XCTAssertEqual(tail, whole.filter { $0.id > last })
                XCTAssertEqual(head + tail, whole)
                XCTAssertEqual(tail.last?.event, "done")
            } catch {
                try await streams.shutdown()
                throw error
            }
            try await streams.shutdown()
        }
    }

    /// A client that stops reading fills its socket and then its subscription's buffer; the hub drops it,
    /// the engine goes on, and when the client reads again it gets every event, from the store.
    func testAClientThatStopsReadingDoesNotStallTheRunAndLaterGetsEveryEvent() async throws {
        var world = try TestServer()
        defer { world.remove() }
        world.arguments.extraStages = [ChattyStage()]
        world.arguments.eventStreamBuffer = 16
        let server = world
        let token = try await server.token("alice")
        // 1,000 events of 6 kB: more than the socket buffers and the 16 events a subscriber may lag here.
        let definition: JSONValue = ["name": "chatty", "stages": [
            ["id": "talk", "uses": "test.chatty", "with": ["lines": 1_000, "bytes": 6_000, "delay_ms": 300]],
        ]]
        try await server.test(.live) { client in
            let port = try XCTUnwrap(client.port)
            let streams = StreamClient(port: port, token: token, connections: 8)
            do {
                let created = try await streams.create(["definition": definition])
                let id = try XCTUnwrap(created.id)
                let stalled = try RawHTTPConnection(port: port)
                try stalled.send("GET /v1/workflows/\(id)/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                 + "Authorization: Bearer \(token)\r\nAccept: text/event-stream\r\n\r\n")
                let reader = Task { try await streams.read("/v1/workflows/\(id)/events") }
                let end = try await client.waitForTerminal(id, token: token, timeout: 60)
                XCTAssertEqual(end["status"], "completed")
                let stored = try await Self.storedIDs(server, runs: [id])[id]
                // The run's status, the stage's queued, running and completed, the lines, then done.
                XCTAssertEqual(stored?.count, 1 + 3 + 1_000 + 1)
                let read = try await reader.value
                XCTAssertEqual(read.map(\.id), stored)
                let late = SSEFrame.parseAll(try await stalled.readBody(timeout: .seconds(60)))
                XCTAssertEqual(late.map(\.id), stored)
                XCTAssertEqual(late.last?.event, "done")
            } catch {
                try await streams.shutdown()
                throw error
            }
            try await streams.shutdown()
        }
    }

    /// Another engine on the same database (as another process would be) writes the events: the stream
    /// reads them from the store, since nothing is pushed for them here.
    func testEventsOfARunAnotherProcessExecutesReachTheStream() async throws {
        let server = try TestServer()
        defer { server.remove() }
        let token = try await server.token("root", admin: true)
        try await server.test(.live) { client in
            let streams = StreamClient(port: try XCTUnwrap(client.port), token: token, connections: 8)
            do {
                let data = server.arguments.dataDirectory
                let registry = StageRegistry([NoopStage()])
                let other = Engine(store: try SQLiteWorkflowStore(path: data + "/vidflow.sqlite"), registry: registry,
                                   artifacts: try FileArtifactStore(root: data), configuration: EngineConfiguration(dataDirectory: data))
                let definition = try DefinitionValidator(registry: registry).load("""
                    name: elsewhere
                    stages:
                      - { id: a, uses: noop, with: { sleep_ms: 600, progress_steps: 3 } }
                      - { id: b, uses: noop, needs: [a] }
                    """)
                let id = try await other.submit(RunRequest(definition: definition))
                let frames = try await streams.read("/v1/workflows/\(id)/events")
                _ = try await other.wait(id)
                let stored = try await Self.storedIDs(server, runs: [id])[id]
                XCTAssertEqual(frames.map(\.id), stored)
                XCTAssertEqual(frames.last?.event, "done")
                XCTAssertEqual(frames.last?.data["status"], "completed")
            } catch {
                try await streams.shutdown()
                throw error
            }
            try await streams.shutdown()
        }
    }
}

/// Which streams got their first frame.
private final class ConnectedStreams: Sendable {
    private let streams = Mutex(Set<Int>())
    var count: Int { streams.withLock { $0.count } }
    func note(_ index: Int) { _ = streams.withLock { $0.insert(index) } }
}
