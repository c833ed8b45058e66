import Foundation
import VidflowCore
import VidflowStore

/// Creates the run of a `VideoSpec` for a user, and reads video runs back.
struct VideoSubmitter {
    let state: ServerState
    let user: ServerUser

    func defaults() async throws -> VideoRequestParser.Defaults {
        let config = try await ConfigController(state: state).current()
        return VideoRequestParser.Defaults(provider: config["default_provider"]?.stringValue ?? "local",
                                           model: config["default_model"]?.stringValue,
                                           aspectRatio: config["default_aspect_ratio"]?.stringValue,
                                           size: config["default_size"]?.stringValue,
                                           pollInterval: config["poll_interval_seconds"]?.doubleValue,
                                           providers: state.providers, urlPolicy: state.arguments.urlPolicy)
    }

    /// Creates (or, for a reused idempotency key, finds) the run; returns its record.
    func submit(_ spec: VideoSpec, callbackURL: String?, idempotencyKey: String?) async throws -> RunRecord {
        var document: [String: JSONValue] = ["definition": spec.definition()]
        if let callbackURL { document["callback_url"] = .string(callbackURL) }
        if let idempotencyKey { document["idempotency_key"] = .string("video:" + idempotencyKey) }
        let request = try WorkflowCreateRequest(try JSONObjectReader(.object(document)), headerKey: nil)
        let submission = WorkflowSubmission(state: state, user: user)
        let prepared = try await submission.prepare(request)
        let accepted = try await submission.create(prepared, callbackURL: request.callbackURL, meta: spec.meta)
        let id = accepted.workflowID
        guard let run = try await state.store.run(id) else { throw APIError.notFound("no video with id '\(id)'") }
        return run
    }

    /// A video run of the user (404 for anything else), with its stages and metadata.
    func video(_ id: String) async throws -> (run: RunRecord, stages: [StageRecord], meta: JSONValue?) {
        let run = try await state.ownedRun(id, user: user)
        let meta = try await state.store.meta(ofRun: id)
        guard meta?["kind"]?.stringValue == "video" else { throw APIError.notFound("no video with id '\(id)'") }
        return (run, try await state.store.stages(of: id), meta)
    }
}
