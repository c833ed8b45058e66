import Foundation
import Hummingbird
import VidflowCore

/// `/v1/videos`: OpenAI's Videos API over vidflow, so the official SDKs work with only `base_url` changed.
struct OpenAIVideoController {
    let state: ServerState

    /// OpenAI's fields, plus `n` (vidflow's: several videos, `num_outputs`; `?index=` on the content picks one).
    static let createFields: Set<String> = ["model", "prompt", "seconds", "size", "input_reference", "n"]

    func addRoutes(to group: RouterGroup<ServerRequestContext>) {
        group.post(use: create)
        group.get(use: list)
        group.get(":id", use: retrieve)
        group.delete(":id", use: delete)
        group.get(":id/content", use: content)
        group.post(":id/remix", use: remix)
    }

    @Sendable func create(_ request: Request, context: ServerRequestContext) async throws -> OpenAIVideo {
        let user = try context.requireUser()
        let submitter = VideoSubmitter(state: state, user: user)
        let fields = try await OpenAIVideoForm.read(request, state: state, user: user, allowed: Self.createFields)
        defer { fields.discard() }
        var kept: String?
        do {
            return try await create(fields, submitter: submitter, idempotencyKey: request.headers[named: "Idempotency-Key"],
                                    kept: &kept)
        } catch {
            fields.forget(kept)
            throw error
        }
    }

    /// The create of checked fields; `kept` is the input reference file saved on the way, if any.
    func create(_ fields: OpenAIVideoForm, submitter: VideoSubmitter, idempotencyKey key: String?,
                kept: inout String?) async throws -> OpenAIVideo {
        guard let prompt = try fields.string("prompt"), !prompt.isEmpty else {
            throw APIError.badRequest("required: a prompt", field: "prompt")
        }
        let defaults = try await submitter.defaults()
        var spec = try VideoRequestParser.base(prompt: prompt, model: try fields.string("model"), provider: nil,
                                               defaults: defaults)
        if let seconds = try fields.string("seconds") {
            guard let value = Double(seconds), value > 0, value <= 120 else {
                throw APIError.badRequest("must be a number of seconds such as \"4\"", field: "seconds")
            }
            spec.seconds = value
        }
        spec.size = try VideoRequestParser.size(try fields.string("size"), field: "size")
        if let count = try fields.string("n") {
            guard let value = Int(count), (1...4).contains(value) else { throw APIError.badRequest("must be from 1 to 4", field: "n") }
            spec.numOutputs = value == 1 ? nil : value
        }
        spec.image = try fields.inputReference()
        kept = spec.image
        // The model's limits, checked before a task exists (as `/v1/video/generate` does): 400 naming the field.
        // Without a size: `/v1/config`'s default size (else 1280x720) where the model takes it.
        var check = VideoSpecCheck(providers: state.providers, defaultSize: defaults.size ?? "1280x720")
        check.fieldNames["image"] = "input_reference"
        spec = try check.checked(spec)
        let run = try await submitter.submit(spec, callbackURL: nil, idempotencyKey: key)
        let video = try await submitter.video(run.id)
        return VideoTaskView.openAI(video.run, stages: video.stages, meta: video.meta)
    }

    @Sendable func retrieve(_ request: Request, context: ServerRequestContext) async throws -> OpenAIVideo {
        let video = try await VideoSubmitter(state: state, user: try context.requireUser())
            .video(try context.parameters.require("id"))
        return VideoTaskView.openAI(video.run, stages: video.stages, meta: video.meta)
    }

    @Sendable func content(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let video = try await VideoSubmitter(state: state, user: try context.requireUser())
            .video(try context.parameters.require("id"))
        switch request.uri.queryParameters["variant"].map(String.init) ?? "video" {
        case "spritesheet": return try await SpriteSheetContent.response(for: video.stages, request: request, run: video.run)
        case "video", "thumbnail": return try VideoController.content(of: video.stages, request: request, run: video.run)
        default: throw APIError.badRequest("must be video, thumbnail or spritesheet", field: "variant")
        }
    }

    @Sendable func delete(_ request: Request, context: ServerRequestContext) async throws -> OpenAIVideoDeletion {
        let id = try context.parameters.require("id")
        let video = try await VideoSubmitter(state: state, user: try context.requireUser()).video(id)
        if !video.run.status.isTerminal { try await state.engine.cancel(id) }
        try await state.store.hide(runID: id)
        return OpenAIVideoDeletion(id: id)
    }

    @Sendable func remix(_ request: Request, context: ServerRequestContext) async throws -> OpenAIVideo {
        let user = try context.requireUser()
        let id = try context.parameters.require("id")
        let submitter = VideoSubmitter(state: state, user: user)
        let source = try await submitter.video(id)
        let fields = try await OpenAIVideoForm.read(request, state: state, user: user, allowed: ["prompt"])
        defer { fields.discard() }
        guard let prompt = try fields.string("prompt"), !prompt.isEmpty else {
            throw APIError.badRequest("required: a prompt", field: "prompt")
        }
        guard var spec = VideoSpec(recorded: source.meta?["spec"]) else {
            throw APIError.badRequest("video '\(id)' cannot be remixed", field: "video_id")
        }
        spec.prompt = prompt
        spec.remixedFrom = id
        let run = try await submitter.submit(spec, callbackURL: nil, idempotencyKey: request.headers[named: "Idempotency-Key"])
        let video = try await submitter.video(run.id)
        return VideoTaskView.openAI(video.run, stages: video.stages, meta: video.meta)
    }

    @Sendable func list(_ request: Request, context: ServerRequestContext) async throws -> OpenAIVideoList {
        let user = try context.requireUser()
        let query = request.uri.queryParameters
        var limit = 20
        if let text = query["limit"] {
            guard let value = Int(text), (0...100).contains(value) else {
                throw APIError.badRequest("must be an integer from 0 to 100", field: "limit")
            }
            limit = value
        }
        let order = query["order"].map(String.init) ?? "desc"
        guard ["asc", "desc"].contains(order) else { throw APIError.badRequest("must be asc or desc", field: "order") }
        let after = query["after"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        if let after, try await state.store.owner(ofRun: after) != user.id {
            throw APIError.badRequest("no video with id '\(after)'", field: "after")
        }
        let runs = try await state.store.runs(userID: user.id, status: nil, limit: limit + 1, after: after, kind: "video",
                                              oldestFirst: order == "asc")
        let page = Array(runs.prefix(limit))
        let details = try await state.store.stagesAndMeta(ofRuns: page.map(\.id))
        let data = page.map { VideoTaskView.openAI($0, stages: details[$0.id]?.stages ?? [], meta: details[$0.id]?.meta) }
        return OpenAIVideoList(data: data, firstID: page.first?.id, lastID: page.last?.id, hasMore: runs.count > page.count)
    }
}
