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
        if parsed.dryRun { return JSONResponse.make(WorkflowJSON.plan(submission.prepared)) }
        let result = try await WorkflowSubmission(state: state, user: user)
            .create(submission, callbackURL: parsed.callbackURL, meta: nil)
        return JSONResponse.make(result, status: .accepted)
    }

    @Sendable func status(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.require("id")
        let run = try await state.ownedRun(id, user: user)
        let stages = try await state.store.stages(of: id)
        var document = WorkflowJSON.status(run, stages: stages).objectValue ?? [:]
        let share = RunShare(storage: UserStorage(dataDirectory: state.arguments.dataDirectory, userID: user.id), runID: id)
        let files = share.link(share.files(of: stages))
        document["output"] = ["files": RunShare.json(files), "directory": .string("/" + RunShare.directory(id))]
        return JSONResponse.make(.object(document))
    }

    @Sendable func list(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let page = try PageQuery(request)
        let status = try page.status()
        try await page.checkCursor(state, user: user)
        let runs = try await state.store.runs(userID: user.id, status: status, limit: page.limit + 1, after: page.cursor,
                                             includeUnowned: user.isAdmin)
        let items = runs.prefix(page.limit)
        let next: JSONValue = runs.count > page.limit ? JSONResponse.optional(items.last?.id) : .null
        return JSONResponse.make(["items": .array(items.map(WorkflowJSON.summary)), "next_cursor": next])
    }

    @Sendable func cancel(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.require("id")
        let run = try await state.ownedRun(id, user: user)
        guard !run.status.isTerminal else {
            throw APIError(.conflict, code: "already_terminal", "workflow '\(id)' already \(run.status.rawValue)")
        }
        try await state.engine.cancel(id)
        let now = try await state.store.run(id)
        return JSONResponse.make(["workflow_id": .string(id), "status": .string(now?.status.rawValue ?? "cancelled"),
                                  "message": "cancellation requested"], status: .accepted)
    }

    @Sendable func deliveries(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.require("id")
        _ = try await state.ownedRun(id, user: user)
        let items = try await state.store.deliveries(runID: id).map { delivery -> JSONValue in
            ["id": .string(delivery.id), "attempt": .int(delivery.attempt), "url": .string(delivery.url),
             "status_code": delivery.statusCode.map(JSONValue.int) ?? .null, "error": JSONResponse.optional(delivery.error),
             "succeeded": .bool(delivery.succeeded), "at": JSONResponse.time(delivery.at),
             "duration_ms": .double(delivery.durationMs)]
        }
        return JSONResponse.make(["workflow_id": .string(id), "items": .array(items)])
    }
}
