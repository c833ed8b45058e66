import Foundation
import Synchronization
import VidflowCore
import VidflowEngine
import VidflowProviders
import VidflowStore
import VidflowTestSupport
import XCTest

/// The package root (for `workflows/` and `share/`).
let packageRoot: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// A temporary directory with media made by the ffmpeg CLI.
struct TestMedia {
    let directory: String

    init() throws {
        try requireFFmpeg()
        directory = NSTemporaryDirectory() + "vidflow-providers-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// A 320x240 JPEG.
    func jpeg(_ name: String = "image.jpg") throws -> String {
        let path = directory + "/" + name
        try runTool("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240",
                               "-frames:v", "1", path])
        return path
    }

    /// A 320x180, 25 fps, 1 s H.264 + AAC clip with its moov at the end.
    func clip(_ name: String = "clip.mp4") throws -> String {
        let path = directory + "/" + name
        try runTool("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25",
                               "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", "1",
                               "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", path])
        return path
    }

    /// A text file pretending to be an image.
    func notAnImage(_ name: String = "notes.jpg") throws -> String {
        let path = directory + "/" + name
        try Data("these are not the pixels you are looking for\n".utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }
}

/// A data directory with a real SQLite store and an engine running the built-in stages over `providers`.
struct ProvidersWorld {
    let directory: String
    let store: SQLiteWorkflowStore
    let engine: Engine
    let registry: StageRegistry
    let local: LocalProvider
    let providers: ProviderRegistry

    init(extraProviders: [any VideoProvider] = []) throws {
        directory = NSTemporaryDirectory() + "vidflow-providers-world-\(UUID().uuidString.prefix(8))"
        store = try SQLiteWorkflowStore(path: directory + "/vidflow.sqlite")
        local = LocalProvider(directory: directory + "/providers/local", pollAfterMs: 50)
        var providers = ProviderRegistry([local])
        for provider in extraProviders { providers.register(provider) }
        self.providers = providers
        registry = BuiltinStages.registry(providers: providers)
        let configuration = EngineConfiguration(dataDirectory: directory, maxConcurrency: 4, cancelPollInterval: .milliseconds(20))
        engine = Engine(store: store, registry: registry, artifacts: try FileArtifactStore(root: directory),
                        configuration: configuration)
    }

    func definition(_ yaml: String) throws -> WorkflowDefinition {
        try DefinitionValidator(registry: registry).load(yaml)
    }

    func run(_ definition: WorkflowDefinition, inputs: [String: JSONValue] = [:], mode: ExecutionMode = .full,
             base: String? = nil) async throws -> RunRecord {
        let id = try await engine.submit(RunRequest(definition: definition, inputs: inputs, mode: mode, baseRunID: base))
        return try await engine.wait(id)
    }

    func stages(_ runID: String) async throws -> [String: StageRecord] {
        Dictionary(uniqueKeysWithValues: try await store.stages(of: runID).map { ($0.stageID, $0) })
    }

    /// Stage ids that really ran (not reused) in a run.
    func executed(_ runID: String) async throws -> Set<String> {
        Set(try await stages(runID).values.filter { $0.status == .completed && $0.reusedFrom == nil }.map(\.stageID))
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }
}

/// A `StageContext` for running one stage directly, without an engine.
final class DirectContext: StageContext {
    let runID = "run_test"
    let stageID: String
    let attempt = 1
    let parameters: [String: JSONValue]
    let artifacts: any ArtifactStore
    let stateDirectory: String
    let urlPolicy: OutboundURLPolicy
    private let reports = Mutex((logs: [String](), progress: [Int]()))

    init(stageID: String = "stage", parameters: [String: JSONValue], directory: String,
         urlPolicy: OutboundURLPolicy = .unrestricted) throws {
        self.stageID = stageID
        self.urlPolicy = urlPolicy
        self.parameters = parameters
        self.artifacts = try FileArtifactStore(root: directory)
        self.stateDirectory = directory + "/state"
    }

    var logs: [String] { reports.withLock { $0.logs } }
    var progress: [Int] { reports.withLock { $0.progress } }

    func reportProgress(_ percent: Int) async { reports.withLock { $0.progress.append(percent) } }
    func log(_ message: String) async { reports.withLock { $0.logs.append(message) } }

    func submitOnce(provider: String, request: JSONValue, reconcile: @Sendable (String, String) async throws -> String?,
                    submit: @Sendable (String) async throws -> String) async throws -> ExternalJob {
        let key = "vf-\(runID)-\(stageID)"
        if let id = try await reconcile(provider, key) {
            return ExternalJob(provider: provider, idempotencyKey: key, externalID: id, origin: .reconciled)
        }
        return ExternalJob(provider: provider, idempotencyKey: key, externalID: try await submit(key), origin: .submitted)
    }
}

/// Runs `stage` directly and returns the `StageFailure` it throws (failing the test when it succeeds).
func stageFailure(of stage: any Stage, _ context: DirectContext, file: StaticString = #filePath, line: UInt = #line) async -> StageFailure? {
    do {
        _ = try await stage.run(context)
        XCTFail("expected the stage to fail", file: file, line: line)
    } catch let failure as StageFailure {
        return failure
    } catch {
        XCTFail("expected a StageFailure, got \(error)", file: file, line: line)
    }
    return nil
}

/// Waits until a provider job ends; fails after `timeout` seconds.
func waitForJob(_ provider: any VideoProvider, _ jobID: String, timeout: Double = 60) async throws -> VideoJobStatus {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        let status = try await provider.status(of: jobID)
        if status.state.isTerminal { return status }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw ToolError(message: "job \(jobID) did not finish within \(timeout) s")
}
