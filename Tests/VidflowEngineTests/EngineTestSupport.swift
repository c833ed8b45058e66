import Foundation
import Synchronization
import VidflowCore
import VidflowEngine
import VidflowStore
import XCTest

/// A temporary data directory with a real SQLite store and an engine over it.
struct EngineWorld {
    let directory: String
    let store: SQLiteWorkflowStore
    let engine: Engine

    init(registry: StageRegistry = testStages, configure: (inout EngineConfiguration) -> Void = { _ in }) throws {
        directory = NSTemporaryDirectory() + "vidflow-engine-\(UUID().uuidString.prefix(8))"
        store = try SQLiteWorkflowStore(path: directory + "/vidflow.sqlite")
        engine = try Self.engine(store: store, directory: directory, registry: registry, configure: configure)
    }

    static func engine(store: SQLiteWorkflowStore, directory: String, registry: StageRegistry = testStages,
                       configure: (inout EngineConfiguration) -> Void = { _ in }) throws -> Engine {
        var configuration = EngineConfiguration(dataDirectory: directory, maxConcurrency: 8, cancelPollInterval: .milliseconds(20))
        configure(&configuration)
        return Engine(store: store, registry: registry, artifacts: try FileArtifactStore(root: directory), configuration: configuration)
    }

    func definition(_ yaml: String) throws -> WorkflowDefinition {
        try DefinitionValidator(registry: testStages).load(yaml)
    }

    /// Submits and waits for the run to end.
    func run(_ yaml: String, inputs: [String: JSONValue] = [:]) async throws -> RunRecord {
        let id = try await engine.submit(RunRequest(definition: try definition(yaml), inputs: inputs))
        return try await engine.wait(id)
    }

    func stages(_ runID: String) async throws -> [String: StageRecord] {
        Dictionary(uniqueKeysWithValues: try await store.stages(of: runID).map { ($0.stageID, $0) })
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }
}

/// Counts how many stages run at once.
final class ConcurrencyProbe: Sendable {
    private let state = Mutex((current: 0, peak: 0))
    func enter() { state.withLock { $0.current += 1; $0.peak = max($0.peak, $0.current) } }
    func leave() { state.withLock { $0.current -= 1 } }
    var peak: Int { state.withLock { $0.peak } }
}

let probe = ConcurrencyProbe()

/// `test.probe`: sleeps while counted by `probe`.
struct ProbeStage: Stage {
    var typeName = "test.probe"
    var version = 1
    var schema: StageSchema { StageSchema(parameters: [ParameterSpec("sleep_ms", .int, default: 50)], outputs: []) }
    func run(_ context: any StageContext) async throws -> StageResult {
        probe.enter()
        defer { probe.leave() }
        try await Task.sleep(for: .milliseconds(context.int("sleep_ms") ?? 50))
        return StageResult(outputs: [:])
    }
}

/// `test.flaky`: fails while the file at `flag` exists, so a test can "fix" the world between runs.
struct FlakyStage: Stage {
    var typeName = "test.flaky"
    var version = 1
    var schema: StageSchema {
        StageSchema(parameters: [ParameterSpec("flag", .string, required: true), ParameterSpec("kind", .string, default: "invalid_input")],
                    outputs: [OutputSpec("ok", .bool)])
    }
    func run(_ context: any StageContext) async throws -> StageResult {
        if FileManager.default.fileExists(atPath: context.string("flag") ?? "") {
            throw StageFailure(ErrorKind(context.string("kind") ?? "invalid_input"), "flag file present")
        }
        return StageResult(outputs: ["ok": true])
    }
}

/// A fake paid provider that counts submits and can look jobs up by idempotency key.
final class CountingProvider: Sendable {
    private let state = Mutex((submits: [String](), jobs: [String: String]()))
    func submit(_ key: String) -> String {
        state.withLock { s in
            s.submits.append(key)
            let id = "job-\(s.submits.count)"
            s.jobs[key] = id
            return id
        }
    }
    func lookup(_ key: String) -> String? { state.withLock { $0.jobs[key] } }
    var submits: [String] { state.withLock { $0.submits } }
}

let paidProvider = CountingProvider()

/// `test.paid`: submits through the never-pay-twice protocol to `paidProvider`.
struct PaidStage: Stage {
    var typeName = "test.paid"
    var version = 1
    var schema: StageSchema { StageSchema(parameters: [ParameterSpec("prompt", .string, default: "x")], outputs: [OutputSpec("job_id", .string)]) }
    func run(_ context: any StageContext) async throws -> StageResult {
        let job = try await context.submitOnce(provider: "counting", request: ["prompt": context.parameters["prompt"] ?? .null],
                                               reconcile: { paidProvider.lookup($1) },
                                               submit: { paidProvider.submit($0) })
        return StageResult(outputs: ["job_id": .string(job.externalID), "origin": .string(job.origin.rawValue)])
    }
}

let testStages = StageRegistry([NoopStage(), ProbeStage(), FlakyStage(), PaidStage(), PaidFlakyStage(), FileStage()])

/// `test.paid-flaky`: submits once, then fails its first `fail_times` attempts after the submit.
struct PaidFlakyStage: Stage {
    var typeName = "test.paid-flaky"
    var version = 1
    var schema: StageSchema {
        StageSchema(parameters: [ParameterSpec("fail_times", .int, default: 1)],
                    outputs: [OutputSpec("job_id", .string), OutputSpec("origin", .string)])
    }
    func run(_ context: any StageContext) async throws -> StageResult {
        let job = try await context.submitOnce(provider: "counting", request: [:],
                                               reconcile: { paidProvider.lookup($1) },
                                               submit: { paidProvider.submit($0) })
        if context.attempt <= (context.int("fail_times") ?? 0) {
            throw StageFailure(.transient, "the provider's status call timed out")
        }
        return StageResult(outputs: ["job_id": .string(job.externalID), "origin": .string(job.origin.rawValue)])
    }
}

/// `test.file`: writes `text` to a file and stores it as an artifact.
struct FileStage: Stage {
    var typeName = "test.file"
    var version = 1
    var schema: StageSchema {
        StageSchema(parameters: [ParameterSpec("text", .string, default: "hello")], outputs: [OutputSpec("file", .file)])
    }
    func run(_ context: any StageContext) async throws -> StageResult {
        let scratch = context.artifacts.scratchPath(extension: "txt")
        try Data((context.string("text") ?? "").utf8).write(to: URL(fileURLWithPath: scratch))
        let artifact = try context.artifacts.importFile(at: scratch, mime: "text/plain", move: true)
        return StageResult(outputs: ["file": .string(artifact.path)], artifacts: [artifact])
    }
}
