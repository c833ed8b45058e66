import Foundation
import Logging
import VidflowCore

/// What a run execution needs from its engine.
struct ExecutionServices: Sendable {
    let store: any WorkflowStore
    let registry: StageRegistry
    let artifacts: any ArtifactStore
    let limiter: ConcurrencyLimiter
    let configuration: EngineConfiguration
    let logger: Logger
    let metrics: EngineMetrics
}

/// Drives one run from whatever state the store holds to a terminal status.
///
/// The same path serves a fresh run and a recovered one: stages found `running` were interrupted
/// and go back to the queue; everything else continues where it stood. Every transition is
/// committed before the execution acts on it.
actor RunExecution {
    let runID: String
    let services: ExecutionServices
    var run: RunRecord
    var stages: [String: StageRecord]
    let graph: WorkflowGraph
    /// The run's stage definitions by id (looked up on every stage start and completion).
    let definitions: [String: StageDefinition]
    /// Stages queued since the last launch sweep, for `execute` to start without scanning every stage.
    var newlyQueued: [String] = []
    /// Failed attempts per stage (interrupted ones are not held against the stage).
    var failures: [String: Int]
    var cancelRequested = false
    private let cancelSignal: AsyncStream<Void>
    private let cancelContinuation: AsyncStream<Void>.Continuation
    var lastProgress: [String: (percent: Int, at: Date)] = [:]
    /// When each stage's current attempt began (the stage row keeps the first attempt's start).
    var attemptStartedAt: [String: Date] = [:]
    /// Set when the store refused a write: the run stops here and is left for recovery.
    var storeFailure: (any Error)?

    init(run: RunRecord, stages: [StageRecord], attempts: [AttemptRecord], services: ExecutionServices) {
        runID = run.id
        self.run = run
        self.services = services
        self.stages = Dictionary(stages.map { ($0.stageID, $0) }, uniquingKeysWith: { a, _ in a })
        graph = WorkflowGraph(run.definition)
        definitions = run.definition.stagesByID
        failures = attempts.reduce(into: [:]) { counts, attempt in
            if attempt.status == .failed { counts[attempt.stageID, default: 0] += 1 }
        }
        (cancelSignal, cancelContinuation) = AsyncStream.makeStream(of: Void.self)
    }

    /// Asks the run to stop: running stages are cancelled cooperatively, the rest marked cancelled.
    func cancel() {
        guard !cancelRequested else { return }
        cancelRequested = true
        cancelContinuation.yield()
    }

    func execute() async -> RunRecord {
        do {
            let start = resumeBatch()
            try await services.store.commit(start)
            observe(start)
        } catch {
            services.logger.error("run \(runID): cannot record its start: \(error)")
            return run
        }
        enum Child: Sendable { case stage(String, begun: [PrestartedAttempt]), cancel, watcherEnded }
        let signal = cancelSignal
        await withTaskGroup(of: Child.self) { group in
            group.addTask {
                for await _ in signal { return .cancel }
                return .watcherEnded
            }
            var inFlight: Set<String> = []
            var stopping = false
            var swept = false
            /// Starts queued stages: all of them the first time, then only those queued since.
            func launchReady() {
                guard !stopping else { return }
                let candidates = swept ? newlyQueued.sorted { (graph.position[$0] ?? 0) < (graph.position[$1] ?? 0) } : graph.ids
                swept = true
                newlyQueued.removeAll()
                for id in candidates where stages[id]?.status == .queued && !inFlight.contains(id) {
                    inFlight.insert(id)
                    group.addTask { .stage(id, begun: await self.runStage(id)) }
                }
            }
            launchReady()
            if cancelRequested { stopping = true; group.cancelAll() }
            while !inFlight.isEmpty || !stopping {
                if inFlight.isEmpty { break }
                guard let child = await group.next() else { break }
                switch child {
                case .stage(let id, let begun):
                    inFlight.remove(id)
                    for attempt in begun {
                        if stopping {
                            services.limiter.release(pool: attempt.pool)
                            if storeFailure == nil { await finishCancelled(attempt.stageID, attempt: attempt.attempt) }
                            continue
                        }
                        inFlight.insert(attempt.stageID)
                        group.addTask { .stage(attempt.stageID, begun: await self.runStage(attempt.stageID, prestarted: attempt)) }
                    }
                case .cancel, .watcherEnded:
                    stopping = true
                    group.cancelAll()
                }
                if storeFailure != nil && !stopping {
                    stopping = true
                    group.cancelAll()
                }
                launchReady()
            }
            group.cancelAll()
        }
        if let storeFailure {
            services.logger.error("run \(runID) stopped: the store refused a write (\(storeFailure)); `vidflow resume` continues it")
            return run
        }
        // Paid jobs of a cancelled run are stopped here, whatever stage the run was in.
        var end = StoreBatch()
        if cancelRequested { end.events = await stopExternalJobs() }
        do {
            end.append(finishBatch())
            try await services.store.commit(end)
            observe(end)
        } catch {
            services.logger.error("run \(runID): cannot record its end: \(error)")
        }
        return run
    }

    /// Brings a loaded run to a consistent start: interrupted stages re-queued, ready stages queued.
    private func resumeBatch() -> StoreBatch {
        var batch = StoreBatch()
        let now = Date()
        for id in graph.ids {
            guard var stage = stages[id], stage.status == .running else { continue }
            if let next = try? stage.status.applying(.interrupt) {
                stage.status = next
                var attempt = AttemptRecord(runID: runID, stageID: id, number: stage.attempts, status: .interrupted,
                                            startedAt: stage.startedAt ?? now)
                attempt.endedAt = now
                attempt.error = StageFailure(.interrupted, "the process running this attempt stopped")
                batch.attempts.append(attempt)
                batch.events.append(statusEvent(stage, note: "interrupted attempt \(stage.attempts); resuming"))
                stages[id] = stage
            }
        }
        if run.status == .pending, let next = try? run.status.applying(.start) {
            run.status = next
            run.startedAt = now
            batch.runUpdates.append(RunUpdate(runID: runID, status: next, startedAt: now))
            batch.events.append(NewEvent(runID: runID, kind: .status, data: ["status": .string(next.rawValue)]))
        }
        settlePending(into: &batch)
        return batch
    }

    /// Queues pending stages whose needs are all completed; skips those with a need that will never complete.
    ///
    /// After one stage ended (`after`), only its dependents (and, through skips, theirs) are looked at,
    /// so each completion costs what its dependents do, not what the whole run does.
    func settlePending(after ended: String? = nil, into batch: inout StoreBatch) {
        var work = ended.map { graph.dependents(of: $0) } ?? graph.ids
        var next = 0
        while next < work.count {
            let id = work[next]
            next += 1
            guard var stage = stages[id], stage.status == .pending else { continue }
            let needs = stage.needs.compactMap { stages[$0] }
            if let blocker = needs.first(where: { [.failed, .skipped, .cancelled].contains($0.status) }) {
                stage.status = .skipped
                stage.error = StageFailure(.cancelled, "skipped: upstream '\(blocker.stageID)' \(blocker.status.rawValue)")
                stage.endedAt = Date()
                batch.stages.append(stage)
                batch.events.append(statusEvent(stage, note: stage.error?.message))
                stages[id] = stage
                work += graph.dependents(of: id)
            } else if needs.allSatisfy({ $0.status == .completed }), let queued = try? stage.status.applying(.enqueue) {
                stage.status = queued
                batch.stages.append(stage)
                batch.events.append(statusEvent(stage))
                stages[id] = stage
                newlyQueued.append(id)
            }
        }
    }

    /// The terminal batch: leftovers cancelled or skipped, the run's status and its `done` event.
    private func finishBatch() -> StoreBatch {
        var batch = StoreBatch()
        let now = Date()
        for id in graph.ids {
            guard var stage = stages[id], !stage.status.isTerminal else { continue }
            stage.status = cancelRequested ? .cancelled : .skipped
            stage.endedAt = now
            batch.stages.append(stage)
            batch.events.append(statusEvent(stage))
            stages[id] = stage
        }
        let ordered = graph.ids.compactMap { stages[$0] }
        let event: RunEvent
        var error: StageFailure?
        if let failed = ordered.first(where: { $0.status == .failed }) {
            event = .fail
            let cause = failed.error ?? StageFailure(.internalError, "failed")
            error = StageFailure(cause.kind, "stage '\(failed.stageID)' failed: \(cause.message)", restartFrom: cause.restartFrom)
        } else if cancelRequested || ordered.contains(where: { $0.status == .cancelled }) {
            event = .cancel
            error = StageFailure(.cancelled, "cancelled")
        } else {
            event = .complete
        }
        let status = (try? run.status.applying(event)) ?? run.status
        run.status = status
        run.error = error
        run.endedAt = now
        batch.runUpdates.append(RunUpdate(runID: runID, status: status, error: error, endedAt: now))
        var data: [String: JSONValue] = ["status": .string(status.rawValue)]
        if let error { data["error"] = ["kind": .string(error.kind.rawValue), "message": .string(error.message)] }
        batch.events.append(NewEvent(runID: runID, kind: .done, data: .object(data)))
        return batch
    }

    func statusEvent(_ stage: StageRecord, note: String? = nil) -> NewEvent {
        var data: [String: JSONValue] = [
            "stage": .string(stage.stageID), "status": .string(stage.status.rawValue), "attempt": .int(stage.attempts),
        ]
        if let note { data["message"] = .string(note) }
        if let next = stage.nextAttemptAt { data["next_attempt_at"] = .double(next.timeIntervalSince1970) }
        return NewEvent(runID: runID, stageID: stage.stageID, kind: .status, data: .object(data))
    }

    /// Logs the transitions of a committed batch and records the metrics of the stages it ended.
    private func observe(_ batch: StoreBatch) {
        services.metrics.observe(committed: batch, runID: runID, attemptStartedAt: attemptStartedAt)
    }

    /// Commits a batch; on failure remembers it so the run stops and is left for recovery.
    func commit(_ batch: StoreBatch) async -> Bool {
        do {
            try await services.store.commit(batch)
            observe(batch)
            return true
        } catch {
            storeFailure = storeFailure ?? error
            return false
        }
    }
}
