import AsyncHTTPClient
import Foundation
import NIOCore
import VidflowCore
import VidflowEngine
import VidflowStore

/// The definition the HTTP benches post: a chain of `stages` noop stages.
private func noopChain(_ stages: Int, name: String) -> String {
    let items = (1...max(1, stages)).map { index in
        let needs = index == 1 ? "" : ", \"needs\": [\"s\(index - 1)\"]"
        return "{\"id\": \"s\(index)\", \"uses\": \"noop\", \"with\": {\"n\": \(index)}\(needs)}"
    }
    return "{\"name\": \"\(name)\", \"stages\": [\(items.joined(separator: ", "))]}"
}

/// `vidflow-bench http`: `runs` workflows of six chained noop stages posted over HTTP by `clients`
/// concurrent keep-alive clients to an in-process server, timed until every one completed; beside it the
/// same load submitted to an in-process engine (same stage limit, same SQLite store), which is the ceiling.
func runHTTPBench(runs: Int, clients: Int, stagesPerRun: Int = 6) async throws {
    print("\n== HTTP end to end: \(runs) workflows of \(stagesPerRun) noop stages, \(clients) concurrent clients ==")
    let engineLimit = 16
    let inProcess = try await inProcessStagesPerSecond(runs: runs, submitters: clients, stagesPerRun: stagesPerRun,
                                                       maxConcurrency: engineLimit)
    let server = try await BenchHTTPServer.start(connections: clients + 4) { $0.engine.maxConcurrency = engineLimit }
    do {
        let definition = noopChain(stagesPerRun, name: "http-bench")
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in 0..<clients {
                let share = runs / clients + (client < runs % clients ? 1 : 0)
                group.addTask {
                    var ids: [String] = []
                    for _ in 0..<share { ids.append(try await server.create(definition).id) }
                    for id in ids { try await waitUntilCompleted(server, id: id) }
                }
            }
            try await group.waitForAll()
        }
        let wall = seconds(ContinuousClock.now - start)
        let overHTTP = Double(runs * stagesPerRun) / wall
        print(String(format: "  over HTTP: %.2f s wall, %.0f stages completed/s, %.0f workflows/s; in-process engine, same load: %.0f stages/s "
                     + "(HTTP at %.0f %% of it; target ≥ 50 %%)", wall, overHTTP, Double(runs) / wall, inProcess,
                     overHTTP / inProcess * 100))
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
}

/// Polls a workflow's status (every 5 ms) until it is completed; throws if it ends otherwise.
private func waitUntilCompleted(_ server: BenchHTTPServer, id: String) async throws {
    let deadline = ContinuousClock.now + .seconds(300)
    while ContinuousClock.now < deadline {
        let response = try await server.client.execute(HTTPClientRequest(url: server.url("/v1/workflows/status/\(id)")),
                                                       timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 22)
        guard response.status.code == 200,
              let document = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
              let status = document["status"] as? String else {
            throw BenchError("GET status of \(id) answered \(response.status.code)")
        }
        if status == RunStatus.completed.rawValue { return }
        if let ended = RunStatus(rawValue: status), ended.isTerminal { throw BenchError("workflow \(id) ended \(status)") }
        try await Task.sleep(for: .milliseconds(5))
    }
    throw BenchError("workflow \(id) did not complete within 300 s")
}

/// The same load without HTTP: `submitters` tasks each submit their share of `runs`, then wait for them.
private func inProcessStagesPerSecond(runs: Int, submitters: Int, stagesPerRun: Int, maxConcurrency: Int) async throws -> Double {
    let directory = NSTemporaryDirectory() + "vidflow-http-bench-engine-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let registry = StageRegistry([NoopStage()])
    let store = try SQLiteWorkflowStore(path: directory + "/vidflow.sqlite")
    let engine = Engine(store: store, registry: registry, artifacts: try FileArtifactStore(root: directory),
                        configuration: EngineConfiguration(dataDirectory: directory, maxConcurrency: maxConcurrency))
    // JSON is YAML: the very document the HTTP clients post.
    let definition = try DefinitionValidator(registry: registry).load(noopChain(stagesPerRun, name: "http-bench"), file: "http-bench.json")
    let start = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for submitter in 0..<submitters {
            let share = runs / submitters + (submitter < runs % submitters ? 1 : 0)
            group.addTask {
                var ids: [String] = []
                for _ in 0..<share { ids.append(try await engine.submit(RunRequest(definition: definition))) }
                for id in ids where try await engine.wait(id).status != .completed {
                    throw BenchError("in-process run \(id) did not complete")
                }
            }
        }
        try await group.waitForAll()
    }
    return Double(runs * stagesPerRun) / seconds(ContinuousClock.now - start)
}

/// `vidflow-bench creates`: `POST /v1/workflows` of a one-stage noop workflow to an in-process server —
/// 100 at once (p50/p99 over `rounds` rounds), then `clients` keep-alive clients posting back to back
/// for `duration` seconds (creates/s). Each answer is a 202 with the run durable in SQLite.
func runCreatesBench(clients: Int, duration: Int, rounds: Int = 5) async throws {
    print("\n== create path: POST /v1/workflows (noop definition) to an in-process server ==")
    let server = try await BenchHTTPServer.start(connections: 100 + clients)
    do {
        let definition = noopChain(1, name: "create-bench")
        for _ in 0..<20 { _ = try await server.create(definition) }   // warm the connections and caches
        var latencies: [Double] = []
        for _ in 0..<max(1, rounds) {
            latencies += try await withThrowingTaskGroup(of: Double.self) { group in
                for _ in 0..<100 { group.addTask { try await server.create(definition).seconds } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        latencies.sort()
        print(String(format: "  100 concurrent creates (%d rounds): p50 %.1f ms, p99 %.1f ms, max %.1f ms (target p99 < 50 ms)",
                     max(1, rounds), quantile(latencies, 50) * 1000, quantile(latencies, 99) * 1000, (latencies.last ?? 0) * 1000))
        let end = ContinuousClock.now + .seconds(duration)
        let start = ContinuousClock.now
        let cpuBefore = processCPUSeconds()
        let created = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<clients {
                group.addTask {
                    var count = 0
                    while ContinuousClock.now < end {
                        _ = try await server.create(definition)
                        count += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        let wall = seconds(ContinuousClock.now - start)
        let cpu = (processCPUSeconds() - cpuBefore) / wall
        print(String(format: "  %d keep-alive clients for %.1f s: %d creates, %.0f creates/s (target ≥ 2,500), process CPU %.0f %% of one core "
                     + "(clients included)", clients, wall, created, Double(created) / wall, cpu * 100))
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
}

/// The value below which `percent` % of the sorted `values` fall.
private func quantile(_ sorted: [Double], _ percent: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let index = Int((Double(sorted.count - 1) * percent / 100).rounded())
    return sorted[min(sorted.count - 1, max(0, index))]
}
