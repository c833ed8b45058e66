import Foundation
import Hummingbird
import VidflowCore
import VidflowStore

/// `/v1/tasks`: one stage run on its own (a one-stage workflow), and its status.
struct TaskController {
    let state: ServerState

    func addRoutes(to group: RouterGroup<ServerRequestContext>) {
        group.post(use: create)
        group.get(":id/status", use: status)
    }

    @Sendable func create(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let body = try await JSONObjectReader.body(of: request, limit: state.arguments.maxJSONBytes)
        try body.rejectUnknown(["task_name", "task_id", "input_data", "callback_url"])
        guard let name = try body.string("task_name"), !name.isEmpty else {
            throw APIError.badRequest("required: the stage type to run", field: "task_name")
        }
        guard state.registry.stage(name) != nil else {
            let known = state.registry.typeNames.joined(separator: ", ")
            throw APIError.badRequest("unknown stage type '\(name)' (known: \(known))", field: "task_name")
        }
        let input = try body.object("input_data") ?? [:]
        let taskID = try ClientTaskID(try body.string("task_id"))
        if let taskID, try await taskID.existing(state: state, user: user) {
            return try await status(taskID.value, user: user).response(.accepted, from: request, context: context)
        }
        var document: [String: JSONValue] = [
            "definition": ["name": .string("task:\(name)"),
                           "stages": [["id": "task", "uses": .string(name), "with": .object(input)]]],
        ]
        if let taskID { document["idempotency_key"] = .string(taskID.idempotencyKey) }
        if let url = try body.string("callback_url") { document["callback_url"] = .string(url) }
        let parsed: WorkflowCreateRequest
        let submission: WorkflowSubmission.Prepared
        do {
            parsed = try WorkflowCreateRequest(try JSONObjectReader(.object(document)),
                                               headerKey: request.headers[named: "Idempotency-Key"].map { "task:" + $0 })
            submission = try await WorkflowSubmission(state: state, user: user).prepare(parsed, runID: taskID?.value)
        } catch let error as APIError {
            throw Self.renamed(error)
        }
        let accepted: WorkflowAccepted
        do {
            accepted = try await WorkflowSubmission(state: state, user: user)
                .create(submission, callbackURL: parsed.callbackURL, meta: ["kind": "task", "task_name": .string(name)])
        } catch {
            // Another request took the id between the check above and the insert (nothing was written).
            if let taskID, try await state.store.run(taskID.value) != nil, error as? APIError == nil {
                throw ClientTaskID.taken(taskID.value)
            }
            throw error
        }
        return try TaskAccepted(taskID: accepted.workflowID, taskName: name).response(.accepted, from: request, context: context)
    }

    /// An error about the one stage's parameters, named after `input_data` as the request wrote them.
    static func renamed(_ error: APIError) -> APIError {
        var renamed = error
        if let field = error.field, field.hasPrefix("definition.stages.task.") {
            renamed.field = "input_data." + field.dropFirst("definition.stages.task.".count)
        }
        return renamed
    }

    @Sendable func status(_ request: Request, context: ServerRequestContext) async throws -> TaskStatus {
        try await status(try context.parameters.require("id"), user: try context.requireUser())
    }

    /// The task's status; 404 unless the user may see the run.
    func status(_ id: String, user: ServerUser) async throws -> TaskStatus {
        let run = try await state.ownedRun(id, user: user)
        return TaskStatus(run, stage: try await state.store.stages(of: id).first)
    }
}
