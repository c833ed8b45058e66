import Foundation
import Logging
import VidflowCore
import VidflowEngine
import VidflowProviders
import VidflowStore

/// What every controller shares: the arguments, the store, the engine, the registry.
struct ServerState: Sendable {
    let arguments: ServerArguments
    let store: SQLiteWorkflowStore
    let artifacts: FileArtifactStore
    let registry: StageRegistry
    let engine: Engine
    /// The video providers, for connection tests and health.
    let providers: ProviderRegistry
    /// This server's Prometheus registry and the factory the engine, the webhooks and the handlers record through.
    let metrics: ServerMetrics
    /// The settings from flags, environment and files, without `/v1/config`'s saved keys (which change while
    /// the server runs; `ConfigController` puts them on top).
    let settings: VidflowSettings

    /// Opens the store and builds the engine; `/v1/config`'s `max_concurrency` (when set) limits each provider pool.
    static func open(arguments: ServerArguments, logger: Logger) async throws -> ServerState {
        try FileManager.default.createDirectory(atPath: arguments.dataDirectory, withIntermediateDirectories: true)
        let store = try SQLiteWorkflowStore(path: arguments.dataDirectory + "/vidflow.sqlite")
        var engine = arguments.engine
        if let limit = try await ConfigController.storedMaxConcurrency(in: store) {
            engine.defaultPoolLimit = limit
        }
        return try ServerState(arguments: arguments, store: store, engineConfiguration: engine, logger: logger)
    }

    init(arguments: ServerArguments, store: SQLiteWorkflowStore, engineConfiguration: EngineConfiguration,
         logger: Logger, metrics: ServerMetrics = ServerMetrics()) throws {
        self.arguments = arguments
        self.store = store
        self.metrics = metrics
        artifacts = try FileArtifactStore(root: arguments.dataDirectory)
        // `/v1/config`'s keys win over flags, environment and files (see `VidflowSettings`).
        let base = arguments.settings ?? .environment(arguments.providerEnvironment ?? ProcessInfo.processInfo.environment)
        self.settings = base
        let settings = base.adding(stored: ConfigController.storedProviderSettings(dataDirectory: arguments.dataDirectory))
        providers = ProviderCatalog.registry(dataDirectory: arguments.dataDirectory, settings: settings,
                                             publicURL: arguments.publicURL, callbackToken: try Self.callbackToken(arguments))
        var registry = BuiltinStages.registry(providers: providers, settings: settings)
        for stage in arguments.extraStages { registry.register(stage) }
        self.registry = registry
        var configuration = engineConfiguration
        configuration.urlPolicy = arguments.urlPolicy
        configuration.poolLimits.merge(providers.poolLimits) { given, _ in given }
        configuration.metricsFactory = metrics.factory
        engine = Engine(store: store, registry: registry, artifacts: artifacts, configuration: configuration,
                        logger: logger)
    }

    /// The token put in callback URLs for providers that do not sign their callbacks: derived from
    /// the server's webhook secret, so it survives restarts and never appears on its own on disk.
    static func callbackToken(_ arguments: ServerArguments) throws -> String {
        ProviderCallbackToken.derive(fromWebhookSecret:
            try WebhookSigner.secret(given: arguments.webhookSecret, dataDirectory: arguments.dataDirectory))
    }

    /// Whether `user` may see the run: its owner, or an administrator for runs nobody owns (started
    /// with the CLI on the same data directory).
    func visible(_ id: String, to user: ServerUser) async throws -> Bool {
        let ownership = try await store.ownership(ofRun: id)
        return ownership.exists && (ownership.owner == user.id || (ownership.owner == nil && user.isAdmin))
    }

    /// The run if it exists and belongs to `user`; otherwise 404 (never another user's data).
    func ownedRun(_ id: String, user: ServerUser, field: String? = nil) async throws -> RunRecord {
        guard try await visible(id, to: user), let run = try await store.run(id) else {
            throw APIError.notFound("no workflow with id '\(id)'", field: field)
        }
        return run
    }
}
