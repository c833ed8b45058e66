import Foundation
import Histogram
import VidflowCore
import VidflowEngine
import VidflowStore

/// 1,000 runs of six chained stages through the durable SQLite store: stages completed per second,
/// the engine's overhead between one stage ending and the next starting (p50/p99), and the time of
/// an incremental re-run of an unchanged run.
func runEngineBench(runs: Int = 1_000, stagesPerRun: Int = 6, runsInFlight: Int = 16) async throws {
    let directory = NSTemporaryDirectory() + "vidflow-engine-bench-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let clock = StageClock()
    let registry = StageRegistry([TimingStage(clock: clock), NoopStage()])
    let store = try SQLiteWorkflowStore(path: directory + "/vidflow.sqlite")
    let engine = Engine(store: store, registry: registry, artifacts: try FileArtifactStore(root: directory),
                        configuration: EngineConfiguration(dataDirectory: directory, maxConcurrency: runsInFlight))
    let ids = (1...stagesPerRun).map { "s\($0)" }
    let yaml = "name: bench\nstages:\n" + ids.enumerated().map { "  - { id: \($1), uses: bench.timed, with: { n: \($0) } }" }
        .joined(separator: "\n")
    let definition = try DefinitionValidator(registry: registry).load(yaml, file: "bench.yaml")
    print("engine bench: \(runs) runs × \(stagesPerRun) chained stages, \(runsInFlight) runs in flight, SQLite WAL at \(directory)")

    let start = ContinuousClock.now
    var runIDs: [String] = []
    try await withThrowingTaskGroup(of: String.self) { group in
        var submitted = 0
        func submitNext() {
            submitted += 1
            group.addTask {
                let id = try await engine.submit(RunRequest(definition: definition))
                _ = try await engine.wait(id)
                return id
            }
        }
        while submitted < min(runs, runsInFlight) { submitNext() }
        while let id = try await group.next() {
            runIDs.append(id)
            if submitted < runs { submitNext() }
        }
    }
    let wall = seconds(ContinuousClock.now - start)

    let completedRuns = try await store.runs(status: .completed, limit: runs + 1, createdBefore: nil).count
    var completedStages = 0
    for id in runIDs { completedStages += try await store.stages(of: id).filter { $0.status == .completed }.count }
    guard completedRuns == runs, completedStages == runs * stagesPerRun else {
        throw BenchError("only \(completedRuns) runs / \(completedStages) stages completed durably")
    }
    var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
    for id in runIDs {
        for gap in clock.gaps(runID: id, chain: ids) { _ = histogram.record(UInt64(max(0, seconds(gap) * 1_000_000))) }
    }
    // Each stage moves pending → queued → running → completed: three durable transitions.
    let transitions = completedStages * 3
    print(String(format: "  %.1f s wall: %.0f stages completed/s (durable in SQLite), %.0f stage transitions/s (target ≥ 3,500), %.0f runs/s",
                 wall, Double(completedStages) / wall, Double(transitions) / wall, Double(runs) / wall))
    print(String(format: "  scheduling overhead per stage (previous stage end → next stage start, one durable commit between): p50 %.3f ms, p99 %.3f ms (target p99 < 2 ms), %d samples",
                 Double(histogram.valueAtPercentile(50)) / 1000, Double(histogram.valueAtPercentile(99)) / 1000,
                 Int(histogram.totalCount)))

    guard let base = runIDs.last else { return }
    var rerun = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
    for _ in 0..<20 {
        let begin = ContinuousClock.now
        let id = try await engine.submit(RunRequest(definition: definition, mode: .incremental, baseRunID: base))
        let record = try await engine.wait(id)
        _ = rerun.record(UInt64(seconds(ContinuousClock.now - begin) * 1_000_000))
        let ran = try await store.stages(of: id).filter { $0.reusedFrom == nil }.count
        guard record.status == .completed, ran == 0 else { throw BenchError("unchanged re-run ran \(ran) stages") }
    }
    print(String(format: "  incremental re-run of an unchanged %d-stage run (plan, create, finish; nothing runs): p50 %.2f ms, max %.2f ms (target < 100 ms)",
                 stagesPerRun, Double(rerun.valueAtPercentile(50)) / 1000, Double(rerun.max) / 1000))
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// A benchmark whose result is wrong, not just slow.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
