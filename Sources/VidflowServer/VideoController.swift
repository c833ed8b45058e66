import Foundation
import Hummingbird
import VidflowCore

/// `/v1/video`: generate a video (the standard chain), follow its task, cancel it, list the history.
struct VideoController {
    let state: ServerState

    func addRoutes(to group: RouterGroup<ServerRequestContext>) {
        group.post("generate", use: generate)
        group.get("tasks/:id", use: task)
        group.delete("tasks/:id", use: cancel)
        group.get("tasks/:id/content", use: content)
        group.get("history", use: history)
    }

    @Sendable func generate(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let submitter = VideoSubmitter(state: state, user: try context.requireUser())
        let body = try await JSONObjectReader.body(of: request, limit: state.arguments.maxJSONBytes)
        let spec = try VideoRequestParser.unified(body, defaults: try await submitter.defaults())
        let callbackURL = try body.string("callback_url")
        let key = try body.string("idempotency_key") ?? request.headers[named: "Idempotency-Key"]
        let run = try await submitter.submit(spec, callbackURL: callbackURL, idempotencyKey: key)
        let estimate = Int(max(10, (spec.seconds ?? 4) * 15))
        return JSONResponse.make(["task_id": .string(run.id), "status": "queued", "created_at": JSONResponse.time(run.createdAt),
                                  "estimated_time_seconds": .int(estimate)], status: .accepted)
    }

    @Sendable func task(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let video = try await VideoSubmitter(state: state, user: try context.requireUser())
            .video(try context.parameters.require("id"))
        return JSONResponse.make(VideoTaskView.task(video.run, stages: video.stages, meta: video.meta))
    }

    @Sendable func cancel(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let video = try await VideoSubmitter(state: state, user: try context.requireUser()).video(id)
        guard !video.run.status.isTerminal else {
            throw APIError.badRequest("task '\(id)' already \(video.run.status.rawValue)", code: "already_terminal")
        }
        try await state.engine.cancel(id)
        return JSONResponse.make(["task_id": .string(id), "status": "cancelling", "message": "cancellation requested"])
    }

    @Sendable func content(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let video = try await VideoSubmitter(state: state, user: try context.requireUser()).video(id)
        return try Self.content(of: video.stages, request: request)
    }

    /// The finished video or thumbnail (`?variant=video|thumbnail`), with Range.
    static func content(of stages: [StageRecord], request: Request) throws -> Response {
        let variant = request.uri.queryParameters["variant"].map(String.init) ?? "video"
        guard ["video", "thumbnail"].contains(variant) else {
            throw APIError.badRequest("must be video or thumbnail", field: "variant")
        }
        guard let path = VideoTaskView.file(stages, variant: variant),
              let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil else {
            throw APIError.notFound("the \(variant) is not ready", field: "variant")
        }
        let type = variant == "thumbnail" ? "image/jpeg" : "video/mp4"
        return try FileResponse.make(path: path, size: size, contentType: type, range: request.headers[.range])
    }

    @Sendable func history(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let page = try PageQuery(request)
        try await page.checkCursor(state, user: user)
        let runs = try await state.store.runs(userID: user.id, status: try page.status(), limit: page.limit + 1,
                                              after: page.cursor, kind: "video")
        let shown = Array(runs.prefix(page.limit))
        let details = try await state.store.stagesAndMeta(ofRuns: shown.map(\.id))
        let items = shown.map { VideoTaskView.task($0, stages: details[$0.id]?.stages ?? [], meta: details[$0.id]?.meta) }
        let next: JSONValue = runs.count > page.limit ? JSONResponse.optional(runs.prefix(page.limit).last?.id) : .null
        return JSONResponse.make(["items": .array(items), "next_cursor": next])
    }
}
