import Foundation
import VidflowCore
import VidflowEngine
import VidflowStore

/// One run of a 10,000-stage noop chain (the definition limit): how long validation and planning take,
/// and how many stages per second the engine completes when each completion frees the next stage.
func runLongChainBench(stages count: Int = DefinitionLimits.maxStages) async throws {
    let directory = NSTemporaryDirectory() + "vidflow-chain-bench-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let registry = StageRegistry([NoopStage()])
    let store = try SQLiteWorkflowStore(path: directory + "/vidflow.sqlite")
    let engine = Engine(store: store, registry: registry, artifacts: try FileArtifactStore(root: directory),
                        configuration: EngineConfiguration(dataDirectory: directory, maxConcurrency: 16))
    let yaml = "name: chain\nstages:\n" + (0..<count).map { index in
        index == 0 ? "  - { id: s0, uses: noop, with: { n: 0 } }"
            : "  - { id: s\(index), uses: noop, with: { n: \"${{ previous.outputs.n }}\" } }"
    }.joined(separator: "\n")
    let validateStart = ContinuousClock.now
    let parsed = try DefinitionParser.parse(yaml, file: "chain.yaml")
    let parsedIn = seconds(ContinuousClock.now - validateStart)
    try DefinitionValidator(registry: registry).validate(parsed, file: "chain.yaml")
    let definition = parsed
    let validated = seconds(ContinuousClock.now - validateStart)
    let planStart = ContinuousClock.now
    let prepared = try await engine.prepare(RunRequest(definition: definition))
    let planned = seconds(ContinuousClock.now - planStart)
    let runStart = ContinuousClock.now
    let id = try await engine.create(prepared)
    let run = try await engine.wait(id)
    let wall = seconds(ContinuousClock.now - runStart)
    let completed = try await store.stages(of: id).filter { $0.status == .completed }.count
    guard run.status == .completed, completed == count else {
        throw BenchError("the \(count)-stage chain ended \(run.status.rawValue) with \(completed) stages completed")
    }
    print(String(format: "long chain: %d noop stages in one run: YAML parse + validate %.3f s (target < 1 s; parse alone %.3f s), "
                 + "prepare + plan %.3f s, run %.2f s = %.0f stages/s", count, validated, parsedIn, planned, wall, Double(count) / wall))
}
