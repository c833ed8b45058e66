import Foundation
import Hummingbird
import VidflowCore
import VidflowProviders
import VidflowStore

/// `/v1/video`: generate a video (the standard chain), follow its task, cancel it, list the history.
struct VideoController {
    let state: ServerState

    func addRoutes(to group: RouterGroup<ServerRequestContext>) {
        group.post("generate", use: generate)
        group.get("tasks/:id", use: task)
        group.delete("tasks/:id", use: cancel)
        group.post("tasks/:id/retry", use: retry)
        group.get("tasks/:id/content", use: content)
        group.get("history", use: history)
    }

    @Sendable func generate(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let submitter = VideoSubmitter(state: state, user: try context.requireUser())
        // A larger body limit than elsewhere: `image_base64` may carry a 10 MB image.
        let body = try await JSONObjectReader.body(of: request, limit: state.arguments.maxVideoJSONBytes)
        var defaults = try await submitter.defaults()
        let imageInput = VideoImageInput(dataDirectory: state.arguments.dataDirectory, userID: submitter.user.id,
                                         quotaBytes: state.arguments.userQuotaBytes)
        defaults.imageInput = imageInput
        var check = VideoSpecCheck(providers: state.providers, defaultSize: defaults.size)
        if body.value("seconds") == nil, body.value("duration") != nil { check.fieldNames["seconds"] = "duration" }
        if body.value("image_base64") != nil { check.fieldNames["image"] = "image_base64" }
        if body.value("image_file") != nil { check.fieldNames["image"] = "image_file" }
        let callbackURL = try body.string("callback_url")
        let key = try body.string("idempotency_key") ?? request.headers[named: "Idempotency-Key"]
        let parsed = try VideoRequestParser.unified(body, defaults: defaults)
        let run: RunRecord
        let spec: VideoSpec
        do {
            spec = try check.checked(parsed)
            run = try await submitter.submit(spec, callbackURL: callbackURL, idempotencyKey: key)
        } catch {
            imageInput.forget(parsed.image)
            throw error
        }
        if key != nil, try await state.store.meta(ofRun: run.id)?["spec"]?["image"]?.stringValue != spec.image {
            imageInput.forget(spec.image)  // an earlier task with this idempotency key answered; it has its own image
        }
        let estimate = Int(max(10, (spec.seconds ?? 4) * 15))
        return try VideoTaskAccepted(taskID: run.id, createdAt: run.createdAt, estimatedTimeSeconds: estimate)
            .response(.accepted, from: request, context: context)
    }

    @Sendable func task(_ request: Request, context: ServerRequestContext) async throws -> VideoTask {
        let video = try await VideoSubmitter(state: state, user: try context.requireUser())
            .video(try context.parameters.require("id"))
        return VideoTaskView.task(video.run, stages: video.stages, meta: video.meta)
    }

    @Sendable func cancel(_ request: Request, context: ServerRequestContext) async throws -> VideoTaskCancellation {
        let id = try context.parameters.require("id")
        let video = try await VideoSubmitter(state: state, user: try context.requireUser()).video(id)
        guard !video.run.status.isTerminal else {
            throw APIError.badRequest("task '\(id)' already \(video.run.status.rawValue)", code: "already_terminal")
        }
        try await state.engine.cancel(id)
        return VideoTaskCancellation(taskID: id)
    }

    /// A new video task making the failed or cancelled one's video again from its recorded request: a fresh
    /// generation (the old provider job is not reused), linked to the original by `retry_of`.
    @Sendable func retry(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let submitter = VideoSubmitter(state: state, user: try context.requireUser())
        let original = try await submitter.video(id)
        guard [.failed, .cancelled].contains(original.run.status) else {
            let state = original.run.status == .completed ? "completed" : "still running"
            throw APIError.conflict("task '\(id)' is \(state); only a failed or cancelled task can be retried")
        }
        guard var spec = VideoSpec(recorded: original.meta?["spec"]) else {
            throw APIError.badRequest("task '\(id)' has no recorded request to retry", code: "not_retryable")
        }
        spec.pollInterval = try await submitter.defaults().pollInterval
        spec = try VideoSpecCheck(providers: state.providers).checked(spec)
        spec.retryOf = id
        spec.retryNumber = (original.meta?["retry_number"]?.intValue ?? 0) + 1
        let run = try await submitter.submit(spec, callbackURL: nil, idempotencyKey: nil)
        let estimate = Int(max(10, (spec.seconds ?? 4) * 15))
        return try VideoTaskAccepted(taskID: run.id, createdAt: run.createdAt, estimatedTimeSeconds: estimate, retryOf: id)
            .response(.accepted, from: request, context: context)
    }

    @Sendable func content(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let video = try await VideoSubmitter(state: state, user: try context.requireUser()).video(id)
        return try Self.content(of: video.stages, request: request, run: video.run)
    }

    /// The finished video or thumbnail (`?variant=video|thumbnail`), with Range, offered under the run's readable
    /// name (`RunDownloadName`).
    static func content(of stages: [StageRecord], request: Request, run: RunRecord) throws -> Response {
        let variant = request.uri.queryParameters["variant"].map(String.init) ?? "video"
        guard ["video", "thumbnail"].contains(variant) else {
            throw APIError.badRequest("must be video or thumbnail", field: "variant")
        }
        let index = try videoIndex(request, variant: variant)
        guard let path = VideoTaskView.file(stages, variant: variant, index: index),
              let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil else {
            throw APIError.notFound("the \(variant) is not ready", field: "variant")
        }
        let type = variant == "thumbnail" ? "image/jpeg" : "video/mp4"
        let name = RunDownloadName.of(path, run: run, stages: stages, fallbackSuffix: variant == "thumbnail" ? "_thumb.jpg" : ".mp4")
        return try FileResponse.make(path: path, size: size, contentType: type, range: request.headers[.range], filename: name)
    }

    /// `?index=N` (1-based) picks one of several videos (`num_outputs`); only with `variant=video`.
    private static func videoIndex(_ request: Request, variant: String) throws -> Int {
        guard let text = request.uri.queryParameters["index"].map(String.init) else { return 1 }
        guard let index = Int(text), (1...ProviderCapabilities.maxFannedOutputs).contains(index) else {
            throw APIError.badRequest("must be a whole number from 1 to \(ProviderCapabilities.maxFannedOutputs)", field: "index")
        }
        guard index == 1 || variant == "video" else { throw APIError.badRequest("only videos have an index", field: "index") }
        return index
    }

    @Sendable func history(_ request: Request, context: ServerRequestContext) async throws -> VideoHistory {
        let user = try context.requireUser()
        let page = try PageQuery(request)
        try await page.checkCursor(state, user: user)
        let runs = try await state.store.runs(userID: user.id, status: try page.status(), limit: page.limit + 1,
                                              after: page.cursor, kind: "video")
        let shown = Array(runs.prefix(page.limit))
        let details = try await state.store.stagesAndMeta(ofRuns: shown.map(\.id))
        let items = shown.map { VideoTaskView.task($0, stages: details[$0.id]?.stages ?? [], meta: details[$0.id]?.meta) }
        return VideoHistory(items: items, nextCursor: runs.count > page.limit ? shown.last?.id : nil)
    }
}
