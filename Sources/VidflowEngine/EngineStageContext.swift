import Foundation
import VidflowCore

/// The engine's `StageContext`: reports go to the run's event log, paid jobs through the store.
struct EngineStageContext: StageContext {
    let execution: RunExecution
    let runID: String
    let stageID: String
    let attempt: Int
    let parameters: [String: JSONValue]
    let artifacts: any ArtifactStore
    let stateDirectory: String
    let fileAccess: FileAccessPolicy?
    var urlPolicy: OutboundURLPolicy { execution.services.configuration.urlPolicy }

    func reportProgress(_ percent: Int) async {
        await execution.recordProgress(stageID, percent: min(100, max(0, percent)))
    }

    func log(_ message: String) async {
        await execution.recordLog(stageID, message: SecretScrubber.scrub(fileAccess?.scrub(message) ?? message))
    }

    var isRunCancelled: Bool { get async { await execution.cancelRequested } }

    /// The store's record of earlier job durations, when it keeps one (SQLite does).
    var jobDurations: (any JobDurationHistory)? { execution.services.store as? any JobDurationHistory }

    func submitOnce(provider: String, request: JSONValue,
                    reconcile: @Sendable (String, String) async throws -> String?,
                    submit: @Sendable (String) async throws -> String) async throws -> ExternalJob {
        try await submitOnce(output: 0, provider: provider, request: request, keep: nil, reconcile: reconcile, submit: submit)
    }

    func submitOnce(output: Int, provider: String, request: JSONValue,
                    keep: (@Sendable (ExternalJob) async -> Bool)?,
                    reconcile: @Sendable (String, String) async throws -> String?,
                    submit: @Sendable (String) async throws -> String) async throws -> ExternalJob {
        let store = execution.services.store
        let slot = ExternalJobSlot.stageID(stageID, output: output)
        var intent = ExternalJobRecord(runID: runID, stageID: slot, provider: provider, idempotencyKey: "vf-\(runID)-\(slot)",
                                       request: request, attempt: attempt)
        var note: @Sendable (String) -> String = { "submitted job \($0) to \(provider)" }
        if let job = try await store.externalJob(runID: runID, stageID: slot) {
            if let id = job.externalID {
                await log("job \(id) at \(job.provider) already submitted; not submitting again")
                return ExternalJob(provider: job.provider, idempotencyKey: job.idempotencyKey, externalID: id, origin: .recorded)
            }
            if let id = try await reconcile(job.provider, job.idempotencyKey) {
                try await record(job, externalID: id, note: "reconciled earlier submit: job \(id) at \(job.provider)")
                return ExternalJob(provider: job.provider, idempotencyKey: job.idempotencyKey, externalID: id, origin: .reconciled)
            }
            intent.idempotencyKey = job.idempotencyKey
            note = { [earlier = job.provider] in "submitted job \($0) to \(provider) (earlier intent at \(earlier) had not reached it)" }
        } else if let keep, let earlier = try await baseRunJob(slot: slot), await keep(earlier) {
            var kept = intent
            kept.provider = earlier.provider
            kept.request = ["kept_from": .string(earlier.idempotencyKey), "request": request]
            try await record(kept, externalID: earlier.externalID,
                             note: "kept job \(earlier.externalID) at \(earlier.provider) from the base run; not paying again")
            return ExternalJob(provider: earlier.provider, idempotencyKey: kept.idempotencyKey, externalID: earlier.externalID,
                               origin: .kept)
        }
        var batch = StoreBatch()
        batch.jobs = [intent]
        try await store.commit(batch)
        let id: String
        do {
            id = try await submit(intent.idempotencyKey)
        } catch let error as any SubmitOutcomeError where error.jobCertainlyNotCreated {
            var discard = StoreBatch()
            discard.discardedJobs = [ExternalJobKey(runID: runID, stageID: slot)]
            try? await store.commit(discard)
            throw error
        }
        try await record(intent, externalID: id, note: note(id))
        return ExternalJob(provider: provider, idempotencyKey: intent.idempotencyKey, externalID: id, origin: .submitted)
    }

    /// The job the base run of a retry or incremental run recorded for `slot`, when this stage is unchanged
    /// since (same cache key); looked up where the base run's stage really ran (it may have reused it).
    private func baseRunJob(slot: String) async throws -> ExternalJob? {
        let (run, mine) = await (execution.run, execution.stages[stageID]?.cacheKey)
        guard run.mode != .full, let baseID = run.baseRunID, let mine else { return nil }
        let store = execution.services.store
        guard let base = try await store.stages(of: baseID).first(where: { $0.stageID == stageID }), base.cacheKey == mine else {
            return nil
        }
        let origin = base.reusedFrom?.runID ?? baseID
        guard let job = try await store.externalJob(runID: origin, stageID: slot), let id = job.externalID else { return nil }
        return ExternalJob(provider: job.provider, idempotencyKey: job.idempotencyKey, externalID: id, origin: .recorded)
    }

    private func record(_ job: ExternalJobRecord, externalID: String, note: String) async throws {
        var updated = job
        updated.externalID = externalID
        updated.submittedAt = Date()
        var batch = StoreBatch()
        batch.jobs = [updated]
        batch.events = [NewEvent(runID: runID, stageID: stageID, kind: .log, data: ["stage": .string(stageID), "message": .string(note)])]
        try await execution.services.store.commit(batch)
    }
}

extension RunExecution {
    func recordProgress(_ stageID: String, percent: Int) async {
        let now = Date()
        if let last = lastProgress[stageID],
           last.percent == percent || (percent < 100 && now.timeIntervalSince(last.at) < services.configuration.progressInterval) {
            return
        }
        lastProgress[stageID] = (percent, now)
        guard var stage = stages[stageID], stage.status == .running else { return }
        stage.progress = percent
        stages[stageID] = stage
        var batch = StoreBatch()
        // Only the progress column: this commit may land after the stage's end (commits are not ordered).
        batch.progress = [StageProgress(runID: runID, stageID: stageID, percent: percent)]
        batch.events = [NewEvent(runID: runID, stageID: stageID, kind: .progress,
                                 data: ["stage": .string(stageID), "percent": .int(percent)], at: now)]
        _ = await commit(batch)
    }

    func recordLog(_ stageID: String, message: String) async {
        var batch = StoreBatch()
        batch.events = [NewEvent(runID: runID, stageID: stageID, kind: .log,
                                 data: ["stage": .string(stageID), "message": .string(message)])]
        _ = await commit(batch)
    }
}
