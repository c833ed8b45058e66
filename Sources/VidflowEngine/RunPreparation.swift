import Foundation
import VidflowCore

/// Turns a `RunRequest` into a `PreparedRun`: validation, inputs, file hashes, base run, the plan.
///
/// Everything that touches files or the store happens here, so `RunPlanner` itself stays pure.
struct RunPreparation {
    let services: ExecutionServices

    func prepare(_ request: RunRequest) async throws -> PreparedRun {
        if let id = request.runID, !RunRequest.isValidRunID(id) {
            throw EngineError.invalid(DefinitionError([ValidationIssue(field: "run_id", message: "must be " + RunRequest.runIDRule)]))
        }
        var base: RunRecord?
        if request.mode != .full {
            guard let baseID = request.baseRunID else { throw EngineError.modeNeedsBase(request.mode) }
            guard let found = try await services.store.run(baseID) else { throw EngineError.baseRunMissing(baseID) }
            guard found.status.isTerminal else { throw EngineError.baseRunActive(baseID, found.status) }
            base = found
        }
        guard let definition = request.definition ?? base?.definition else {
            throw EngineError.invalid(DefinitionError([ValidationIssue(field: "definition", message: "required")]))
        }
        let validator = DefinitionValidator(registry: services.registry)
        do {
            try validator.validate(definition, file: request.source)
        } catch {
            throw EngineError.invalid(error)
        }
        var given = request.inputs
        if let base, request.definition == nil || request.mode != .full {
            for (name, value) in base.inputs where given[name] == nil && definition.input(name) != nil && !value.isNull {
                given[name] = value
            }
        }
        let inputs: [String: JSONValue]
        do {
            inputs = try InputResolver.resolve(definition, given: given, file: request.source)
        } catch {
            throw EngineError.invalid(error)
        }
        let registry = services.registry
        let artifacts = services.artifacts
        let baseStages = base == nil ? [] : try await services.store.stages(of: base?.id ?? "")
        // Only files the run may read are hashed: checked first (stat, never open), at most 4 GiB each.
        let files = RunFiles(definition: definition, registry: registry, inputs: inputs, policy: request.fileAccess)
        let hashes: [String: String]
        do {
            hashes = try await runBlocking { _ in try files.check() }
        } catch let error as DefinitionError {
            throw EngineError.invalid(error)
        }
        let components = CacheKeyBuilder.components(for: definition, registry: registry, inputs: inputs, fileHashes: hashes)
        // Re-hash only the artifacts of stages that can be reused (same key); the others run anyway.
        let candidates = baseStages.filter { $0.status == .completed && $0.cacheKey != nil && $0.cacheKey == components[$0.stageID]?.key }
        let verified = try await runBlocking { _ in
            var verified: [String: Bool] = [:]
            for stage in candidates { verified[stage.stageID] = stage.artifacts.allSatisfy { artifacts.verify($0) } }
            return verified
        }
        var baseView: [String: BaseStage] = [:]
        if let base {
            for stage in baseStages {
                baseView[stage.stageID] = BaseStage(
                    status: stage.status, components: stage.components, outputs: stage.output ?? [:],
                    artifacts: stage.artifacts, artifactsVerified: verified[stage.stageID] ?? false,
                    origin: stage.reusedFrom ?? StageRef(runID: base.id, stageID: stage.stageID),
                    restartFrom: stage.error?.restartFrom, errorMessage: stage.error?.message)
            }
        }
        let plan = RunPlanner.plan(definition: definition, components: components, mode: request.mode,
                                   baseRunID: base?.id, base: baseView)
        var run = RunRecord(id: request.runID ?? RunID.make(), definition: definition, inputs: inputs, mode: request.mode,
                            baseRunID: base?.id, source: request.source, idempotencyKey: request.idempotencyKey)
        run.fileAccess = request.fileAccess
        let now = Date()
        var position = 0
        let definitions = definition.stagesByID
        let stages = plan.stages.map { decision -> StageRecord in
            defer { position += 1 }
            let stageDefinition = definitions[decision.stageID]
            var record = StageRecord(runID: run.id, stageID: decision.stageID, position: position,
                                     type: stageDefinition?.uses ?? "", needs: stageDefinition?.needs ?? [],
                                     components: decision.components, planReason: decision.reason.description)
            if decision.action == .reuse {
                record.status = .completed
                record.output = decision.reusedOutputs
                record.artifacts = decision.reusedArtifacts
                record.reusedFrom = decision.reuse
                record.progress = 100
                record.startedAt = now
                record.endedAt = now
            }
            return record
        }
        return PreparedRun(run: run, plan: plan, stages: stages)
    }
}
