import Foundation
import VidflowCore

/// One stage's life inside a run: condition, slot, attempts with timeout, retry with backoff.
extension RunExecution {
    func runStage(_ id: String) async {
        guard let definition = run.definition.stage(id), let type = services.registry.stage(definition.uses) else {
            await finishFailed(id, StageFailure(.invalidInput, "unknown stage type"))
            return
        }
        let scope = scope(for: definition)
        if let condition = definition.condition {
            do {
                let value = try Template.parse(DefinitionValidator.conditionTemplate(condition)).evaluate(in: scope)
                if !value.isTruthy {
                    await finishSkipped(id, reason: "condition '\(condition)' is false")
                    return
                }
            } catch {
                await finishFailed(id, StageFailure(.invalidInput, "condition '\(condition)': \(error.message)"))
                return
            }
        }
        let parameters: [String: JSONValue]
        do {
            parameters = try ParameterResolver.resolve(definition, schema: type.schema, scope: scope)
        } catch {
            await finishFailed(id, error)
            return
        }
        let policy = definition.retry ?? run.definition.defaults.retry
        let timeoutMs = definition.timeoutMs ?? run.definition.defaults.timeoutMs
        let pool = definition.pool ?? type.pool(for: parameters)
        while true {
            if let due = stages[id]?.nextAttemptAt, due > Date() {
                do { try await Task.sleep(for: .milliseconds(Int(due.timeIntervalSinceNow * 1000) + 1)) } catch {
                    await finishCancelled(id)
                    return
                }
            }
            do {
                try await services.limiter.acquire(pool: pool)
            } catch {
                await finishCancelled(id)
                return
            }
            guard !cancelRequested, storeFailure == nil, let attempt = await beginAttempt(id, parameters: parameters) else {
                services.limiter.release(pool: pool)
                if cancelRequested { await finishCancelled(id) }
                return
            }
            let context = EngineStageContext(execution: self, runID: runID, stageID: id, attempt: attempt,
                                             parameters: parameters, artifacts: services.artifacts,
                                             stateDirectory: "\(services.configuration.dataDirectory)/state/\(type.typeName)")
            let outcome = await Self.perform(type, context: context, timeoutMs: timeoutMs)
            services.limiter.release(pool: pool)
            switch outcome {
            case .success(let result):
                await finishCompleted(id, attempt: attempt, result: result)
                return
            case .failure(let failure):
                if failure.kind == .cancelled || (cancelRequested && Task.isCancelled) {
                    await finishCancelled(id, attempt: attempt)
                    return
                }
                failures[id, default: 0] += 1
                let failed = failures[id] ?? 1
                if policy.shouldRetry(failure.kind, afterAttempt: failed) && !cancelRequested {
                    let delay = policy.delayMs(afterAttempt: failed, hintMs: failure.retryAfterMs)
                    guard await scheduleRetry(id, attempt: attempt, failure: failure, delayMs: delay) else { return }
                    continue
                }
                await finishFailed(id, failure, attempt: attempt)
                return
            }
        }
    }

    /// Runs the stage off this actor, with its timeout; every error becomes a `StageFailure`.
    nonisolated static func perform(_ type: any Stage, context: EngineStageContext,
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

    func scope(for definition: StageDefinition) -> ExpressionScope {
        var outputs: [String: [String: JSONValue]] = [:]
        for ancestor in graph.ancestors(of: definition.id) {
            if let output = stages[ancestor]?.output { outputs[ancestor] = output }
        }
        return ExpressionScope(inputs: run.inputs, outputs: outputs,
                               previousStage: definition.needs.count == 1 ? definition.needs[0] : nil)
    }

    private func beginAttempt(_ id: String, parameters: [String: JSONValue]) async -> Int? {
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
        var batch = StoreBatch()
        batch.stages = [stage]
        batch.attempts = [AttemptRecord(runID: runID, stageID: id, number: stage.attempts, startedAt: now)]
        batch.events = [statusEvent(stage)]
        return await commit(batch) ? stage.attempts : nil
    }

    private func finishCompleted(_ id: String, attempt: Int, result: StageResult) async {
        guard var stage = stages[id], let next = try? stage.status.applying(.complete) else { return }
        let now = Date()
        stage.status = next
        stage.output = result.outputs
        stage.artifacts = result.artifacts
        stage.progress = 100
        stage.endedAt = now
        stages[id] = stage
        var batch = StoreBatch()
        batch.stages = [stage]
        var record = AttemptRecord(runID: runID, stageID: id, number: attempt, status: .succeeded, startedAt: stage.startedAt ?? now)
        record.endedAt = now
        record.output = result.outputs
        batch.attempts = [record]
        batch.events = [statusEvent(stage)]
        settlePending(into: &batch)
        _ = await commit(batch)
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
        var record = AttemptRecord(runID: runID, stageID: id, number: attempt, status: .failed, startedAt: stage.startedAt ?? now)
        record.endedAt = now
        record.error = failure
        batch.attempts = [record]
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
        if let attempt {
            var record = AttemptRecord(runID: runID, stageID: id, number: attempt, status: .failed, startedAt: stage.startedAt ?? now)
            record.endedAt = now
            record.error = failure
            batch.attempts = [record]
        }
        batch.events = [statusEvent(stage, note: failure.description)]
        settlePending(into: &batch)
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
        settlePending(into: &batch)
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
        if let attempt {
            var record = AttemptRecord(runID: runID, stageID: id, number: attempt, status: .cancelled, startedAt: stage.startedAt ?? now)
            record.endedAt = now
            record.error = stage.error
            batch.attempts = [record]
        }
        batch.events = [statusEvent(stage)]
        _ = await commit(batch)
    }
}

/// Runs `operation`, failing with a `timeout` StageFailure when it takes longer than `milliseconds`.
func withTimeout<T: Sendable>(milliseconds: Int?, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    guard let milliseconds, milliseconds > 0 else { return try await operation() }
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: .milliseconds(milliseconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw CancellationError() }
        guard let value = first else {
            throw StageFailure(.timeout, "timed out after \(Double(milliseconds) / 1000) s")
        }
        return value
    }
}
