import Foundation
import Metrics
import VidflowCore

/// One stage's life inside a run: condition, slot, attempts with timeout, retry with backoff.
extension RunExecution {
    /// Runs one stage to a terminal status (or to a store failure). A `prestarted` stage's first attempt
    /// was already begun, durably, by its upstream's completion. Returns the dependents that this stage's
    /// completion began in the same way, for the caller to launch.
    func runStage(_ id: String, prestarted: PrestartedAttempt? = nil) async -> [PrestartedAttempt] {
        guard let definition = definitions[id], let type = services.registry.stage(definition.uses) else {
            await finishFailed(id, StageFailure(.invalidInput, "unknown stage type"))
            return []
        }
        let parameters: [String: JSONValue]
        if let prestarted {
            parameters = prestarted.parameters
        } else {
            switch readiness(definition, type: type) {
            case .ready(let resolved): parameters = resolved
            case .skip(let reason):
                await finishSkipped(id, reason: reason)
                return []
            case .fail(let failure):
                await finishFailed(id, failure)
                return []
            }
        }
        let policy = definition.retry ?? run.definition.defaults.retry
        let timeoutMs = definition.timeoutMs ?? run.definition.defaults.timeoutMs
        let pool = definition.pool ?? type.pool(for: parameters)
        var begun = prestarted?.attempt
        while true {
            let attempt: Int
            if let already = begun {
                attempt = already
                begun = nil
            } else {
                guard let started = await acquireAndBegin(id, parameters: parameters, pool: pool) else { return [] }
                attempt = started
            }
            let context = EngineStageContext(execution: self, runID: runID, stageID: id, attempt: attempt,
                                             parameters: parameters, artifacts: services.artifacts,
                                             stateDirectory: "\(services.configuration.dataDirectory)/state/\(type.typeName)",
                                             fileAccess: run.fileAccess)
            // Bound as the task-local factory, so what the stage calls (provider requests) counts here too;
            // the lease lets the stage give its global slot back while it waits (`ExecutionSlot`).
            let lease = StageSlotLease(limiter: services.limiter)
            let outcome = await withMetricsFactory(services.metrics.factory) {
                await ExecutionSlot.$current.withValue(lease) {
                    await Self.perform(type, context: context, timeoutMs: timeoutMs)
                }
            }
            services.limiter.release(pool: pool, global: lease.end())
            switch outcome {
            case .success(let result):
                return await finishCompleted(id, attempt: attempt, result: result)
            case .failure(let failure):
                if failure.kind == .cancelled || (cancelRequested && Task.isCancelled) {
                    await finishCancelled(id, attempt: attempt)
                    return []
                }
                failures[id, default: 0] += 1
                let failed = failures[id] ?? 1
                if policy.shouldRetry(failure.kind, afterAttempt: failed) && !cancelRequested {
                    services.metrics.stageRetried(type: type.typeName, kind: failure.kind)
                    let delay = policy.delayMs(afterAttempt: failed, hintMs: failure.retryAfterMs)
                    guard await scheduleRetry(id, attempt: attempt, failure: failure, delayMs: delay) else { return [] }
                    continue
                }
                await finishFailed(id, failure, attempt: attempt)
                return []
            }
        }
    }

    /// Whether a queued stage can start: its condition holds and its parameters resolve.
    enum Readiness { case ready([String: JSONValue]), skip(String), fail(StageFailure) }

    func readiness(_ definition: StageDefinition, type: any Stage) -> Readiness {
        let scope = scope(for: definition, type: type)
        if let condition = definition.condition {
            let shown = DefinitionLimits.excerpt(condition)
            do {
                let value = try Template.parse(DefinitionValidator.conditionTemplate(condition)).evaluate(in: scope)
                if !value.isTruthy { return .skip("condition '\(shown)' is false") }
            } catch {
                return .fail(StageFailure(.invalidInput, "condition '\(shown)': \(error.message)"))
            }
        }
        do {
            return .ready(try ParameterResolver.resolve(definition, schema: type.schema, scope: scope))
        } catch {
            return .fail(error)
        }
    }

    /// Waits for a due retry and a slot, then durably begins the next attempt; nil when the stage stops instead.
    private func acquireAndBegin(_ id: String, parameters: [String: JSONValue], pool: String?) async -> Int? {
        if let due = stages[id]?.nextAttemptAt, due > Date() {
            do { try await Task.sleep(for: .milliseconds(Int(due.timeIntervalSinceNow * 1000) + 1)) } catch {
                await finishCancelled(id)
                return nil
            }
        }
        do {
            try await services.limiter.acquire(pool: pool)
        } catch {
            await finishCancelled(id)
            return nil
        }
        var batch = StoreBatch()
        guard !cancelRequested, storeFailure == nil, let attempt = beginAttempt(id, parameters: parameters, into: &batch),
              await commit(batch) else {
            services.limiter.release(pool: pool)
            if cancelRequested { await finishCancelled(id) }
            return nil
        }
        return attempt
    }

    /// Runs the stage off this actor, with its timeout; every error becomes a `StageFailure`, whose
    /// message, for a run with confined file access, names no server path.
    nonisolated static func perform(_ type: any Stage, context: EngineStageContext,
                                    timeoutMs: Int?) async -> Result<StageResult, StageFailure> {
        let outcome = await attempt(type, context: context, timeoutMs: timeoutMs)
        guard case .failure(var failure) = outcome else { return outcome }
        if let policy = context.fileAccess { failure.message = policy.scrub(failure.message) }
        // The last line of defence for secrets: no configured key or token-shaped text is stored.
        failure.message = SecretScrubber.scrub(failure.message)
        return .failure(failure)
    }

    private nonisolated static func attempt(_ type: any Stage, context: EngineStageContext,
                                            timeoutMs: Int?) async -> Result<StageResult, StageFailure> {
        do {
            let result = try await withTimeout(milliseconds: timeoutMs) { try await type.run(context) }
            return .success(result)
        } catch let failure as StageFailure {
            return .failure(failure)
        } catch is CancellationError {
            return .failure(StageFailure(.cancelled, "cancelled"))
        } catch {
            return .failure(StageFailure(.internalError, "\(error)"))
        }
    }

    /// What the stage's expressions see: the inputs and the outputs of the upstream stages they name
    /// (only those: copying every ancestor's outputs made each stage of a long chain cost the whole chain).
    /// That the named stages are upstream was checked when the run was created (`DefinitionValidator`).
    func scope(for definition: StageDefinition, type: any Stage) -> ExpressionScope {
        var named: Set<String> = []
        if definition.needs.count == 1 { named.insert(definition.needs[0]) }
        var templates = Array(ParameterResolver.effective(definition, schema: type.schema).values)
        if let condition = definition.condition { templates.append(.string(DefinitionValidator.conditionTemplate(condition))) }
        for value in templates {
            for case .stageOutput(let stage, _) in (try? value.templateReferences()) ?? [] { named.insert(stage) }
        }
        var outputs: [String: [String: JSONValue]] = [:]
        for stage in named where stage != definition.id && graph.needs[stage] != nil {
            if let output = stages[stage]?.output { outputs[stage] = output }
        }
        return ExpressionScope(inputs: run.inputs, outputs: outputs,
                               previousStage: definition.needs.count == 1 ? definition.needs[0] : nil)
    }

    /// Moves a queued stage to running and adds the attempt's rows to `batch`; the caller commits it.
    private func beginAttempt(_ id: String, parameters: [String: JSONValue], into batch: inout StoreBatch) -> Int? {
        guard var stage = stages[id], let next = try? stage.status.applying(.start) else { return nil }
        let now = Date()
        stage.status = next
        stage.attempts += 1
        stage.startedAt = stage.startedAt ?? now
        stage.nextAttemptAt = nil
        stage.input = parameters
        stage.error = nil
        stage.progress = 0
        stages[id] = stage
        if let index = batch.stages.firstIndex(where: { $0.stageID == id }) {
            batch.stages[index] = stage
        } else {
            batch.stages.append(stage)
        }
        attemptStartedAt[id] = now
        batch.attempts.append(AttemptRecord(runID: runID, stageID: id, number: stage.attempts, startedAt: now))
        batch.events.append(statusEvent(stage))
        return stage.attempts
    }

    /// Commits the stage's completion together with the first attempt of each dependent that can start
    /// at once (no condition to wait on, parameters resolved, a slot free): one transaction, not two.
    private func finishCompleted(_ id: String, attempt: Int, result: StageResult) async -> [PrestartedAttempt] {
        guard var stage = stages[id], let next = try? stage.status.applying(.complete) else { return [] }
        let now = Date()
        stage.status = next
        stage.output = result.outputs
        stage.artifacts = result.artifacts
        stage.progress = 100
        stage.endedAt = now
        stages[id] = stage
        var batch = StoreBatch()
        batch.stages = [stage]
        batch.attempts = [endedAttempt(id, attempt, .succeeded, at: now, output: result.outputs)]
        batch.events = [statusEvent(stage)]
        settlePending(after: id, into: &batch)
        var prestarted: [PrestartedAttempt] = []
        let queued = batch.stages.filter { $0.status == .queued && $0.stageID != id }.map(\.stageID)
        for dependent in queued where !cancelRequested {
            guard let definition = definitions[dependent], definition.condition == nil,
                  let type = services.registry.stage(definition.uses),
                  case .ready(let parameters) = readiness(definition, type: type) else { continue }
            let pool = definition.pool ?? type.pool(for: parameters)
            guard services.limiter.tryAcquire(pool: pool) else { break }
            guard let number = beginAttempt(dependent, parameters: parameters, into: &batch) else {
                services.limiter.release(pool: pool)
                continue
            }
            prestarted.append(PrestartedAttempt(stageID: dependent, attempt: number, parameters: parameters, pool: pool))
        }
        guard await commit(batch) else {
            for started in prestarted { services.limiter.release(pool: started.pool) }
            return []
        }
        return prestarted
    }

    /// The row of an attempt that ended now, with the time it really started.
    private func endedAttempt(_ id: String, _ number: Int, _ status: AttemptRecord.Status, at now: Date,
                              error: StageFailure? = nil, output: [String: JSONValue]? = nil) -> AttemptRecord {
        var record = AttemptRecord(runID: runID, stageID: id, number: number, status: status,
                                   startedAt: attemptStartedAt[id] ?? stages[id]?.startedAt ?? now)
        record.endedAt = now
        record.error = error
        record.output = output
        return record
    }

    private func scheduleRetry(_ id: String, attempt: Int, failure: StageFailure, delayMs: Int) async -> Bool {
        guard var stage = stages[id], let next = try? stage.status.applying(.retry) else { return false }
        let now = Date()
        stage.status = next
        stage.error = failure
        stage.nextAttemptAt = now.addingTimeInterval(Double(delayMs) / 1000)
        stages[id] = stage
        var batch = StoreBatch()
        batch.stages = [stage]
        batch.attempts = [endedAttempt(id, attempt, .failed, at: now, error: failure)]
        batch.events = [statusEvent(stage, note: "attempt \(attempt) failed (\(failure)); retrying in \(delayMs) ms")]
        return await commit(batch)
    }

    func finishFailed(_ id: String, _ failure: StageFailure, attempt: Int? = nil) async {
        guard var stage = stages[id], !stage.status.isTerminal else { return }
        let now = Date()
        stage.status = (try? stage.status.applying(.fail)) ?? .failed
        stage.error = failure
        stage.endedAt = now
        stages[id] = stage
        var batch = StoreBatch()
        batch.stages = [stage]
        if let attempt { batch.attempts = [endedAttempt(id, attempt, .failed, at: now, error: failure)] }
        batch.events = [statusEvent(stage, note: failure.description)]
        settlePending(after: id, into: &batch)
        _ = await commit(batch)
    }

    private func finishSkipped(_ id: String, reason: String) async {
        guard var stage = stages[id], let next = try? stage.status.applying(.skip) else { return }
        stage.status = next
        stage.error = StageFailure(.cancelled, "skipped: \(reason)")
        stage.endedAt = Date()
        stages[id] = stage
        var batch = StoreBatch()
        batch.stages = [stage]
        batch.events = [statusEvent(stage, note: reason)]
        settlePending(after: id, into: &batch)
        _ = await commit(batch)
    }

    func finishCancelled(_ id: String, attempt: Int? = nil) async {
        guard var stage = stages[id], let next = try? stage.status.applying(.cancel) else { return }
        let now = Date()
        stage.status = next
        stage.error = StageFailure(.cancelled, "cancelled")
        stage.endedAt = now
        stages[id] = stage
        var batch = StoreBatch()
        batch.stages = [stage]
        if let attempt { batch.attempts = [endedAttempt(id, attempt, .cancelled, at: now, error: stage.error)] }
        batch.events = [statusEvent(stage)]
        _ = await commit(batch)
    }
}

/// A stage whose first attempt was begun in the transaction that completed its last upstream stage.
struct PrestartedAttempt: Sendable {
    let stageID: String
    let attempt: Int
    let parameters: [String: JSONValue]
    /// The pool whose slot (and a global slot) the attempt already holds.
    let pool: String?
}
