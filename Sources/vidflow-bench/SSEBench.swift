import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization
import VidflowCore
import VidflowStore

/// `vidflow-bench sse clients=N`: N server-sent-event streams (10 per run) on running workflows over HTTP to
/// an in-process server. Prints the process's CPU while the streams are open and no event happens (the
/// clients are idle then too, so it is the server's), checks every client got every event of its run in
/// order, then times 100 concurrent `POST /v1/workflows` alone and under 200 open streams.
func runSSEBench(clients: Int) async throws {
    let runs = max(1, clients / 10)
    print("\n== server-sent events: \(clients) streams on \(runs) running workflows, in-process server over HTTP ==")
    let server = try await BenchHTTPServer.start(connections: clients + 400) { arguments in
        arguments.engine.maxConcurrency = 10_000
    }
    do {
        try await measureIdleStreams(server, clients: clients, runs: runs)
        try await measureCreatesUnderStreams(server, streams: min(200, clients))
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
}

/// Opens the streams, waits until every client saw its run's long middle stage start, measures the CPU
/// over 3 s in which no event happens, then checks the streams once their runs are done.
private func measureIdleStreams(_ server: BenchHTTPServer, clients: Int, runs: Int) async throws {
    // The middle stage sleeps long enough for the window, however slowly the clients connected.
    let definition = chainDefinition(sleepsMs: [2_000, 8_000, 200])
    var ids: [String] = []
    for _ in 0..<runs { ids.append(try await server.create(definition).id) }
    let tally = StreamTally()
    let opened = ContinuousClock.now
    let streams = openStreams(server, runIDs: (0..<clients).map { ids[$0 % runs] }, tally: tally)
    try await tally.waitUntilMiddleStageSeen(by: clients, timeout: .seconds(120))
    let connected = seconds(ContinuousClock.now - opened)
    try await Task.sleep(for: .milliseconds(500))
    let framesBefore = tally.frames
    let cpuBefore = processCPUSeconds()
    let windowStart = ContinuousClock.now
    try await Task.sleep(for: .seconds(3))
    let cpu = (processCPUSeconds() - cpuBefore) / seconds(ContinuousClock.now - windowStart)
    let quiet = tally.frames == framesBefore
    let logs = try await streams.value
    let checked = try await verify(logs, server: server)
    print(String(format: "  %d streams open (all on a running stage after %.1f s): process CPU between events %.1f %% of one core%@ (target < 10 %%)",
                 clients, connected, cpu * 100, quiet ? "" : " (events arrived during the window: not idle)"))
    print("  every client got every event of its run in order, ending with done: \(checked) streams, \(logs.map(\.ids.count).reduce(0, +)) events")
}

/// 100 concurrent creates alone, then while `streams` streams are open on running workflows.
private func measureCreatesUnderStreams(_ server: BenchHTTPServer, streams: Int) async throws {
    let alone = try await concurrentCreates(server, count: 100)
    let runs = max(1, streams / 10)
    var ids: [String] = []
    for _ in 0..<runs { ids.append(try await server.create(chainDefinition(sleepsMs: [500, 8_000, 100])).id) }
    let tally = StreamTally()
    let open = openStreams(server, runIDs: (0..<streams).map { ids[$0 % runs] }, tally: tally)
    try await tally.waitUntilMiddleStageSeen(by: streams, timeout: .seconds(120))
    let loaded = try await concurrentCreates(server, count: 100)
    let logs = try await open.value
    _ = try await verify(logs, server: server)
    print(String(format: "  100 concurrent POST /v1/workflows: p50 %.1f ms, p99 %.1f ms alone; p50 %.1f ms, p99 %.1f ms under %d open streams (target p99 < 100 ms)",
                 percentile(alone, 50) * 1000, percentile(alone, 99) * 1000,
                 percentile(loaded, 50) * 1000, percentile(loaded, 99) * 1000, streams))
}

/// A chain of noop stages `s1 → s2 → …`, each sleeping as given.
private func chainDefinition(sleepsMs: [Int]) -> String {
    let stages = sleepsMs.enumerated().map { index, sleep in
        let needs = index == 0 ? "" : ", \"needs\": [\"s\(index)\"]"
        return "{\"id\": \"s\(index + 1)\", \"uses\": \"noop\", \"with\": {\"sleep_ms\": \(sleep)}\(needs)}"
    }
    return "{\"name\": \"sse-bench\", \"stages\": [\(stages.joined(separator: ", "))]}"
}

/// Posts `count` one-stage workflows at once; returns each answer's seconds.
private func concurrentCreates(_ server: BenchHTTPServer, count: Int) async throws -> [Double] {
    let definition = chainDefinition(sleepsMs: [0])
    return try await withThrowingTaskGroup(of: Double.self) { group in
        for _ in 0..<count { group.addTask { try await server.create(definition).seconds } }
        return try await group.reduce(into: []) { $0.append($1) }
    }
}

private func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))]
}

/// Checks each stream against its run's events in the store: the same ids in the same order, ending with `done`.
private func verify(_ logs: [StreamLog], server: BenchHTTPServer) async throws -> Int {
    let store = try SQLiteWorkflowStore(path: server.directory + "/data/vidflow.sqlite")
    var expected: [String: [Int64]] = [:]
    for log in logs where expected[log.runID] == nil {
        expected[log.runID] = try await store.events(runID: log.runID, after: 0, limit: 100_000).map(\.id)
    }
    let wrong = logs.filter { $0.ids != expected[$0.runID] || $0.lastEvent != "done" }
    if let first = wrong.first {
        throw BenchError("\(wrong.count) of \(logs.count) streams differ from the stored events; run \(first.runID): "
                         + "got \(first.ids.count) events ending \(first.lastEvent ?? "-"), stored \(expected[first.runID]?.count ?? 0)")
    }
    return logs.count
}

/// What one client saw on its stream.
struct StreamLog: Sendable {
    let runID: String
    var ids: [Int64] = []
    var lastEvent: String?
}

/// Counts, across clients, the frames received and the clients that saw their run's middle stage start.
final class StreamTally: Sendable {
    private let state = Mutex<(frames: Int, middleSeen: Int)>((0, 0))

    var frames: Int { state.withLock { $0.frames } }

    func record(middleStageStarted: Bool) {
        state.withLock {
            $0.frames += 1
            if middleStageStarted { $0.middleSeen += 1 }
        }
    }

    func waitUntilMiddleStageSeen(by clients: Int, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while state.withLock({ $0.middleSeen }) < clients {
            guard ContinuousClock.now < deadline else {
                throw BenchError("only \(state.withLock { $0.middleSeen }) of \(clients) streams saw the middle stage start")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// Opens one stream per entry of `runIDs` (a run may appear many times); the task ends when all streams did.
private func openStreams(_ server: BenchHTTPServer, runIDs: [String], tally: StreamTally) -> Task<[StreamLog], any Error> {
    Task {
        try await withThrowingTaskGroup(of: StreamLog.self) { group in
            for id in runIDs { group.addTask { try await readStream(server, runID: id, tally: tally) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }
}

/// Reads a run's event stream until the server ends it.
private func readStream(_ server: BenchHTTPServer, runID: String, tally: StreamTally) async throws -> StreamLog {
    var request = HTTPClientRequest(url: server.url("/v1/workflows/\(runID)/events"))
    request.headers.add(name: "Accept", value: "text/event-stream")
    let response = try await server.client.execute(request, timeout: .seconds(600))
    guard response.status == .ok else { throw BenchError("the event stream of \(runID) answered \(response.status.code)") }
    var log = StreamLog(runID: runID)
    var pending = ""
    for try await chunk in response.body {
        pending += String(buffer: chunk)
        while let end = pending.range(of: "\n\n") {
            let block = pending[..<end.lowerBound]
            pending.removeSubrange(..<end.upperBound)
            var id: Int64?
            var event = "message"
            var data = ""
            for line in block.split(separator: "\n") {
                if line.hasPrefix("id: ") { id = Int64(line.dropFirst(4)) }
                if line.hasPrefix("event: ") { event = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
            }
            guard let id else { continue }
            log.ids.append(id)
            log.lastEvent = event
            let middle = data.contains("\"stage\":\"s2\"") && data.contains("\"status\":\"running\"")
            tally.record(middleStageStarted: middle)
        }
    }
    return log
}
