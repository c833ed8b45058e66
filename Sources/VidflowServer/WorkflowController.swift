import Foundation
import HTTPTypes
import Hummingbird
import VidflowCore
import VidflowEngine
import VidflowStore

/// `/v1/workflows`: create (full, retry, incremental, dry run), status, list, cancel, webhook deliveries.
struct WorkflowController {
    let state: ServerState

    func addRoutes(to group: RouterGroup<ServerRequestContext>) {
        group.post(use: create)
        group.get(use: list)
        group.get("status/:id", use: status)
        group.post(":id/cancel", use: cancel)
        group.get(":id/deliveries", use: deliveries)
    }

    @Sendable func create(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let body = try await JSONObjectReader.body(of: request, limit: state.arguments.maxJSONBytes)
        let parsed = try WorkflowCreateRequest(body, headerKey: request.headers[named: "Idempotency-Key"])
        let submission = try await WorkflowSubmission(state: state, user: user).prepare(parsed)
        if parsed.dryRun { return try WorkflowPlan(submission.prepared).response(from: request, context: context) }
        let result = try await WorkflowSubmission(state: state, user: user)
            .create(submission, callbackURL: parsed.callbackURL, meta: nil)
        return try result.response(.accepted, from: request, context: context)
    }

    @Sendable func status(_ request: Request, context: ServerRequestContext) async throws -> WorkflowStatus {
        let user = try context.requireUser()
        let id = try context.parameters.require("id")
        let run = try await state.ownedRun(id, user: user)
        let stages = try await state.store.stages(of: id)
        let share = RunShare(storage: UserStorage(dataDirectory: state.arguments.dataDirectory, userID: user.id), runID: id)
        let files = share.link(share.files(of: stages))
        return WorkflowStatus(run, stages: stages, files: RunShare.runFiles(files))
    }

    @Sendable func list(_ request: Request, context: ServerRequestContext) async throws -> WorkflowList {
        let user = try context.requireUser()
        let page = try PageQuery(request)
        let status = try page.status()
        try await page.checkCursor(state, user: user)
        let runs = try await state.store.runs(userID: user.id, status: status, limit: page.limit + 1, after: page.cursor,
                                             includeUnowned: user.isAdmin)
        let items = runs.prefix(page.limit)
        return WorkflowList(items: items.map(WorkflowSummary.init), nextCursor: runs.count > page.limit ? items.last?.id : nil)
    }

    @Sendable func cancel(_ request: Request, context: ServerRequestContext) async throws -> EditedResponse<WorkflowCancellation> {
        let user = try context.requireUser()
        let id = try context.parameters.require("id")
        let run = try await state.ownedRun(id, user: user)
        guard !run.status.isTerminal else {
            throw APIError(.conflict, code: "already_terminal", "workflow '\(id)' already \(run.status.rawValue)")
        }
        try await state.engine.cancel(id)
        let now = try await state.store.run(id)
        return EditedResponse(status: .accepted, response: WorkflowCancellation(workflowID: id, status: now?.status ?? .cancelled))
    }

    @Sendable func deliveries(_ request: Request, context: ServerRequestContext) async throws -> WebhookDeliveryList {
        let user = try context.requireUser()
        let id = try context.parameters.require("id")
        _ = try await state.ownedRun(id, user: user)
        let items = try await state.store.deliveries(runID: id).map { delivery in
            WebhookDeliveryList.Delivery(id: delivery.id, attempt: delivery.attempt, url: delivery.url,
                                         statusCode: delivery.statusCode, error: delivery.error,
                                         succeeded: delivery.succeeded, at: delivery.at, durationMs: delivery.durationMs)
        }
        return WebhookDeliveryList(workflowID: id, items: items)
    }
}
