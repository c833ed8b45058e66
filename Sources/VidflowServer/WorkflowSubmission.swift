import Foundation
import VidflowCore
import VidflowEngine
import VidflowStore

/// Turns a checked create request into a prepared run, then into a created one owned by the user.
struct WorkflowSubmission {
    let state: ServerState
    let user: ServerUser

    /// A run ready to create (or to show, for a dry run).
    struct Prepared: Sendable {
        var prepared: PreparedRun
        var mode: ExecutionMode
    }

    /// `runID`: the id the client chose (a task's `task_id`), already checked; nil: a fresh one.
    func prepare(_ request: WorkflowCreateRequest, runID: String? = nil) async throws -> Prepared {
        if let callbackURL = request.callbackURL {
            try state.arguments.urlPolicy.checkRequestURL(callbackURL, field: "callback_url")
        }
        let library = WorkflowLibrary(directory: state.arguments.workflowsDirectory, registry: state.registry)
        var definition: WorkflowDefinition?
        var source: String?
        let adjust = { (definition: WorkflowDefinition) in request.parameters.applied(to: definition, registry: state.registry) }
        if let name = request.workflowName {
            (definition, source) = try library.named(name)
            definition = definition.map(adjust)
        } else if let document = request.definition {
            definition = try library.parse(document, field: "definition", adjust: adjust)
        } else if let document = request.workflowConfig {
            definition = try library.parse(document, field: "workflow_config", adjust: adjust)
        }
        var inputs = request.inputs
        var trusted: [String] = []
        var baseInputs: [String: JSONValue] = [:]
        if let baseID = request.baseRunID {
            let base = try await state.ownedRun(baseID, user: user, field: "workflow_id")
            inputs = try Self.merge(inputs, base: base.inputs, strategy: request.mergeStrategy)
            trusted += base.fileAccess?.trustedFiles ?? []
            baseInputs = base.inputs
        }
        if request.workflowName != nil, let named = definition {
            // The operator's own workflow: the local paths written in it stay readable (and absolute).
            let pinned = UserFileAccess.trustingLibraryPaths(named, inputs: &inputs, except: Set(baseInputs.keys),
                                                             registry: state.registry)
            definition = pinned.definition
            trusted += pinned.trusted
        }
        let access = UserFileAccess(dataDirectory: state.arguments.dataDirectory, userID: user.id)
        let runRequest = RunRequest(definition: definition, inputs: inputs, mode: request.mode, baseRunID: request.baseRunID,
                                    source: source, idempotencyKey: request.idempotencyKey.map(scopedKey),
                                    fileAccess: access.policy(trusting: Array(Set(trusted))), runID: runID)
        do {
            return Prepared(prepared: try await state.engine.prepare(runRequest), mode: request.mode)
        } catch {
            throw EngineErrorMapping.apiError(error)
        }
    }

    /// Idempotency keys are per user: the same key from two users names two runs.
    func scopedKey(_ key: String) -> String { "\(user.id):\(key)" }

    /// Applies `param_merge_strategy` to a retry's or incremental run's inputs.
    static func merge(_ given: [String: JSONValue], base: [String: JSONValue],
                      strategy: ParamMergeStrategy) throws -> [String: JSONValue] {
        switch strategy {
        case .merge:
            return given
        case .override:
            var inputs = given
            for name in base.keys where inputs[name] == nil { inputs[name] = .null }
            return inputs
        case .strict:
            let changed = given.keys.filter { given[$0] != base[$0] }.sorted()
            guard changed.isEmpty else {
                throw APIError.badRequest("param_merge_strategy strict refuses changed inputs: \(changed.joined(separator: ", "))",
                                          field: "inputs", code: "inputs_changed")
            }
            return given
        }
    }

    /// Creates the run (or finds the one an idempotency key names), gives it to the user, answers the 202 body.
    func create(_ submission: Prepared, callbackURL: String?, meta: JSONValue?) async throws -> WorkflowAccepted {
        let id: String
        do {
            id = try await state.engine.create(submission.prepared)
        } catch {
            throw EngineErrorMapping.apiError(error)
        }
        guard try await state.store.assign(runID: id, userID: user.id, callbackURL: callbackURL, meta: meta) == user.id else {
            throw APIError.conflict("the idempotency key is already in use", field: "idempotency_key")
        }
        if id == submission.prepared.run.id {
            let stages = submission.prepared.plan.stages
            let skipped = stages.filter { $0.action == .reuse }.count
            return WorkflowAccepted(id: id, mode: submission.mode, total: stages.count, skipped: skipped,
                                         message: "workflow accepted")
        }
        let run = try await state.store.run(id)
        let stages = try await state.store.stages(of: id)
        return WorkflowAccepted(id: id, mode: run?.mode ?? submission.mode, total: stages.count,
                                     skipped: stages.filter { $0.reusedFrom != nil }.count,
                                     message: "an earlier request with this idempotency key created this workflow")
    }
}
