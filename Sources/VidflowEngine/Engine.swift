import Foundation
import Logging
import VidflowCore

/// Runs workflows durably: plans, creates, executes, retries, cancels and recovers runs.
///
/// ```swift
/// let engine = Engine(store: store, registry: registry, artifacts: artifacts,
///                     configuration: EngineConfiguration(dataDirectory: ".vidflow"))
/// await engine.start()
/// let id = try await engine.submit(RunRequest(definition: definition, inputs: ["prompt": "a fox"]))
/// let run = try await engine.wait(id)
/// ```
public actor Engine {
    public nonisolated let owner: String
    let services: ExecutionServices
    private var executions: [String: (execution: RunExecution, task: Task<RunRecord, Never>)] = [:]
    private var watcher: Task<Void, Never>?

    public init(store: any WorkflowStore, registry: StageRegistry, artifacts: any ArtifactStore,
                configuration: EngineConfiguration, logger: Logger = Engine.defaultLogger) {
        owner = OwnerIdentity.make()
        let metrics = EngineMetrics(factory: configuration.metricsFactory, logger: logger)
        services = ExecutionServices(
            store: store, registry: registry, artifacts: artifacts,
            limiter: ConcurrencyLimiter(globalLimit: configuration.maxConcurrency, poolLimits: configuration.poolLimits,
                                        defaultPoolLimit: configuration.defaultPoolLimit, metrics: metrics),
            configuration: configuration, logger: logger, metrics: metrics)
    }

    /// The logger of an engine given none: warnings and worse. `vidflow serve` passes its own, at info,
    /// where every stage transition is a line; benchmarks and embedders stay quiet.
    public static var defaultLogger: Logger {
        var logger = Logger(label: "vidflow.engine")
        logger.logLevel = .warning
        return logger
    }

    public nonisolated var registry: StageRegistry { services.registry }
    public nonisolated var store: any WorkflowStore { services.store }
    /// Stages waiting for a concurrency slot.
    public nonisolated var queueDepth: Int { services.limiter.queueDepth }

    /// Changes the limit of every pool without its own (e.g. each provider's), for stages started from now on.
    public nonisolated func setDefaultPoolLimit(_ limit: Int) { services.limiter.setDefaultPoolLimit(limit) }

    /// Starts the heartbeat and the watch for cancel requests made by other processes.
    public func start() {
        guard watcher == nil else { return }
        let store = services.store
        let owner = owner
        let configuration = services.configuration
        watcher = Task { [weak self] in
            var sinceHeartbeat = Duration.zero
            while !Task.isCancelled {
                try? await Task.sleep(for: configuration.cancelPollInterval)
                sinceHeartbeat += configuration.cancelPollInterval
                if sinceHeartbeat >= configuration.heartbeatInterval {
                    sinceHeartbeat = .zero
                    try? await store.heartbeat(owner: owner)
                }
                await self?.pollCancelRequests()
            }
        }
    }

    /// Stops watching; runs still executing keep going until they finish or the process ends.
    public func stop() {
        watcher?.cancel()
        watcher = nil
    }

    /// Acts on cancels other processes wrote to the store: one query for all runs executing here
    /// (cancels made through this engine acted at once).
    private func pollCancelRequests() async {
        guard !executions.isEmpty,
              let requested = try? await services.store.cancelRequested(among: Array(executions.keys)) else { return }
        for id in requested { await executions[id]?.execution.cancel() }
    }

    /// Validates, plans and builds the rows of a run without writing anything (what `--dry-run` shows).
    public func prepare(_ request: RunRequest) async throws -> PreparedRun {
        try await RunPreparation(services: services).prepare(request)
    }

    /// Creates the run durably and starts executing it; returns its id at once.
    public func submit(_ request: RunRequest) async throws -> String {
        let prepared = try await prepare(request)
        return try await create(prepared)
    }

    /// Creates an already prepared run and starts it.
    public func create(_ prepared: PreparedRun) async throws -> String {
        let events = prepared.stages.filter { $0.status == .completed }.map { stage in
            NewEvent(runID: stage.runID, stageID: stage.stageID, kind: .status,
                     data: ["stage": .string(stage.stageID), "status": "completed",
                            "message": .string("reused from \(stage.reusedFrom?.description ?? "base run")")])
        }
        let id = try await services.store.createRun(prepared.run, stages: prepared.stages, events: events, owner: owner)
        // A new run starts from the rows just written, without reading them back.
        if id == prepared.run.id { beginExecuting(prepared.run, stages: prepared.stages, attempts: []) }
        return id
    }

    /// Executes a run this engine owns (a new one, or one claimed during recovery).
    public func launch(_ runID: String) async throws {
        guard executions[runID] == nil else { return }
        guard let run = try await services.store.run(runID) else { throw EngineError.unknownRun(runID) }
        guard !run.status.isTerminal else { return }
        beginExecuting(run, stages: try await services.store.stages(of: runID), attempts: try await services.store.attempts(of: runID))
    }

    private func beginExecuting(_ run: RunRecord, stages: [StageRecord], attempts: [AttemptRecord]) {
        let runID = run.id
        guard executions[runID] == nil else { return }
        let execution = RunExecution(run: run, stages: stages, attempts: attempts, services: services)
        // `forget` runs inside the task, so whoever awaits `task.value` sees the run already forgotten.
        let task = Task { [weak self] in
            let record = await execution.execute()
            await self?.forget(runID)
            return record
        }
        executions[runID] = (execution, task)
    }

    private func forget(_ runID: String) async {
        executions[runID] = nil
        try? await services.store.release(runID, owner: owner)
    }

    /// Waits until the run is terminal (or, for a run another process owns, returns its current record).
    public func wait(_ runID: String) async throws -> RunRecord {
        if let entry = executions[runID] { return await entry.task.value }
        guard let run = try await services.store.run(runID) else { throw EngineError.unknownRun(runID) }
        return run
    }

    /// Waits for every run this engine is executing.
    public func waitForAll() async {
        while let entry = executions.values.first {
            _ = await entry.task.value
        }
    }

    /// Claims interrupted runs (owner dead or silent) and continues them; returns their ids.
    ///
    /// A run that cannot be continued (its rows no longer load) is marked failed with the reason rather
    /// than stopping recovery: whatever is in the database, a restart never fails the same way again.
    /// A stage that cannot be prepared (a bad condition or parameter) fails with `invalid_input` as it starts.
    @discardableResult
    public func recover() async throws -> [String] {
        let stale = Date().addingTimeInterval(-services.configuration.staleAfter)
        let claimed = try await services.store.claimOrphans(owner: owner, staleBefore: stale, isOwnerGone: OwnerIdentity.isGone)
        for id in claimed where executions[id] == nil {
            do {
                try await launch(id)
            } catch {
                await failUnresumable(id, because: error)
            }
        }
        return claimed
    }

    /// Ends a claimed run that cannot be loaded as failed, so the next recovery does not claim it again.
    private func failUnresumable(_ runID: String, because error: any Error) async {
        let reason = DefinitionLimits.excerpt("\(error)", limit: 4 * DefinitionLimits.maxExcerptCharacters)
        services.logger.error("run \(runID) cannot be resumed and is marked failed: \(reason)")
        let failure = StageFailure(.invalidInput, "cannot resume this run: \(reason)")
        var batch = StoreBatch()
        batch.runUpdates = [RunUpdate(runID: runID, status: .failed, error: failure, endedAt: Date())]
        batch.events = [NewEvent(runID: runID, kind: .done, data: [
            "status": "failed", "error": ["kind": .string(failure.kind.rawValue), "message": .string(failure.message)],
        ])]
        do {
            try await services.store.commit(batch)
            try await services.store.release(runID, owner: owner)
        } catch {
            services.logger.error("run \(runID): cannot record its failure: \(error)")
        }
    }

    /// Cancels a run: at once if this engine runs it, else through the store for its owner to act on.
    /// A run nobody is executing is finished as cancelled here.
    public func cancel(_ runID: String) async throws {
        if let entry = executions[runID] {
            // Executing here, so not terminal: the durable request, then the execution stops at once.
            try await services.store.requestCancel(runID)
            await entry.execution.cancel()
            return
        }
        guard let run = try await services.store.run(runID) else { throw EngineError.unknownRun(runID) }
        guard !run.status.isTerminal else { return }
        try await services.store.requestCancel(runID)
        if let entry = executions[runID] {
            await entry.execution.cancel()
            return
        }
        let stale = Date().addingTimeInterval(-services.configuration.staleAfter)
        let claimed = try await services.store.claimOrphans(owner: owner, staleBefore: stale, isOwnerGone: OwnerIdentity.isGone)
        if claimed.contains(runID) {
            try await launch(runID)
            await executions[runID]?.execution.cancel()
        }
        for id in claimed where id != runID { try await launch(id) }
    }

    public var activeRunIDs: [String] { executions.keys.sorted() }

    /// Those of `runIDs` this engine is executing now: their events are written, and pushed, by this process.
    public func executing(_ runIDs: [String]) -> Set<String> {
        Set(runIDs.filter { executions[$0] != nil })
    }
}
