import Foundation
import Logging
import VidflowCore
import VidflowEngine
import VidflowProviders
import VidflowStore

/// One data directory opened for a command: the SQLite store, the artifact store, the stage types, the engine.
///
/// ```swift
/// try await Workspace.session(global) { workspace in
///     try await workspace.recover()
///     ...
/// }   // waits for every run this process took over before returning
/// ```
struct Workspace: Sendable {
    let directory: String
    let store: SQLiteWorkflowStore
    let artifacts: FileArtifactStore
    let registry: StageRegistry
    let engine: Engine

    /// Opens `directory`; providers and speech services are configured from `settings` (flags, environment, files).
    init(directory: String, settings: VidflowSettings = .environment()) throws {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            store = try SQLiteWorkflowStore(path: directory + "/vidflow.sqlite")
            artifacts = try FileArtifactStore(root: directory)
        } catch {
            throw CLIFailure.failure("cannot open the data directory '\(directory)': \(error)")
        }
        let providers = ProviderCatalog.registry(dataDirectory: directory, settings: settings)
        registry = Self.registry(dataDirectory: directory, providers: providers, settings: settings)
        var configuration = EngineConfiguration(dataDirectory: directory, poolLimits: providers.poolLimits)
        // `engine.*` settings (flag, environment, files); a value out of range keeps the default.
        if let limit = settings.int("engine.max_concurrency"), limit >= 1 { configuration.maxConcurrency = limit }
        if let limit = settings.int("engine.provider_concurrency"), SettingsCatalog.providerConcurrencyRange.contains(limit) {
            configuration.defaultPoolLimit = limit
        }
        engine = Engine(store: store, registry: registry, artifacts: artifacts, configuration: configuration,
                        logger: Logger(label: "vidflow.engine"))
    }

    /// The built-in stage types, plus `test.paid` when `VIDFLOW_TEST_STAGES=1` (for the CLI's crash tests).
    static func registry(dataDirectory: String, providers: ProviderRegistry? = nil,
                         settings: VidflowSettings = .environment()) -> StageRegistry {
        var registry = BuiltinStages.registry(
            providers: providers ?? ProviderCatalog.registry(dataDirectory: dataDirectory, settings: settings), settings: settings)
        if ProcessInfo.processInfo.environment["VIDFLOW_TEST_STAGES"] == "1" {
            registry.register(TestPaidStage(logPath: dataDirectory + "/" + TestPaidStage.logName))
        }
        return registry
    }

    /// Starts the engine's heartbeat and cancel watch, and continues runs left by killed processes.
    @discardableResult
    func recover() async throws -> [String] {
        await engine.start()
        let resumed = try await engine.recover()
        if !resumed.isEmpty {
            let list = resumed.joined(separator: ", ")
            Console.error("vidflow: continuing \(resumed.count) interrupted run(s): \(list)")
        }
        return resumed
    }

    /// Opens the workspace, runs `body`, then waits for every run this process executes (also on error),
    /// so a run taken over by recovery is not left half-done when the process exits.
    static func session(_ options: GlobalOptions, _ body: (Workspace) async throws -> Int32) async throws -> Int32 {
        let workspace = try Workspace(directory: options.dataDirectory, settings: try options.settings())
        let code: Int32
        do {
            code = try await body(workspace)
        } catch {
            guard await !workspace.engine.activeRunIDs.isEmpty else {
                await workspace.engine.stop()
                throw error
            }
            let exit = CLIFailure.from(error).report()
            await workspace.engine.waitForAll()
            await workspace.engine.stop()
            throw exit
        }
        await workspace.engine.waitForAll()
        await workspace.engine.stop()
        return code
    }
}
