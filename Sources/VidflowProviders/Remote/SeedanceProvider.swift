import Foundation
import VidflowCore

/// ByteDance Seedance through Volcengine Ark / BytePlus ModelArk content-generation tasks
/// (`POST /contents/generations/tasks`, `GET …/{id}`, `DELETE …/{id}`), with unsigned task callbacks.
///
/// The default base URL is the BytePlus international host (`ark.ap-southeast.bytepluses.com`), where
/// the Vercel AI SDK points too; keys are region-bound, so a Volcengine (China) key needs
/// `base_url: https://ark.cn-beijing.volces.com/api/v3` or the option `region: cn-beijing` (which also
/// switches the default model to the `doubao-` spelling). The option `model` sets another default model
/// or an endpoint id (`ep-…`); `watermark: true|false` is sent on every create (a request's `watermark` wins).
/// Reference images go in as `reference_image` content items; several videos mean several tasks, and
/// `remix_of` is not offered (Ark's `draft_task` renders a draft, it does not remix).
///
/// ```swift
/// let seedance = SeedanceProvider(settings: ProviderSettings(apiKeys: ["ark-key"]))
/// let id = try await seedance.submit(VideoRequest(prompt: "a fox", seconds: 5, aspectRatio: "16:9"), idempotencyKey: "k")
/// ```
public final class SeedanceProvider: VideoProvider {
    /// BytePlus ModelArk (international).
    public static let defaultBaseURL = "https://ark.ap-southeast.bytepluses.com/api/v3"
    /// Volcengine Ark (Beijing), chosen with the option `region: cn-beijing`.
    public static let beijingBaseURL = "https://ark.cn-beijing.volces.com/api/v3"
    /// The Vercel AI SDK's poll cadence for Ark tasks.
    public static let defaultPollAfterMs = 3000

    public let name = "seedance"
    private let settings: ProviderSettings
    private let http: ProviderHTTPClient
    private let pollAfterMs: Int?
    private let defaultModel: String

    /// `pollAfterMs` is the wait suggested between polls (nil: leave it to the poll stage's schedule).
    public init(settings: ProviderSettings, pollAfterMs: Int? = SeedanceProvider.defaultPollAfterMs) {
        self.settings = settings
        self.pollAfterMs = pollAfterMs
        let beijing = settings.options["region"]?.lowercased().hasPrefix("cn") ?? false
        let base = settings.baseURL ?? (beijing ? Self.beijingBaseURL : Self.defaultBaseURL)
        defaultModel = settings.options["model"] ?? SeedanceModels.defaultModel(beijing: beijing || base.contains("volces.com"))
        var http = ProviderHTTPClient(provider: "seedance", settings: settings, baseURL: base) { key in
            [("Authorization", "Bearer \(key)")]
        }
        http.classify = SeedanceMapping.verdict
        self.http = http
    }

    public var keyPool: APIKeyPool? { http.keys }

    public var capabilities: ProviderCapabilities {
        var described = capabilities(for: defaultModel)
        described.models = [defaultModel] + SeedanceModels.allIDs.filter { $0 != defaultModel }
        return described
    }

    public func capabilities(for model: String) -> ProviderCapabilities {
        let known = SeedanceModels.entry(for: model)
        // An unknown id gets the full description, so validation names the known models.
        guard known != nil || model.hasPrefix("ep-") || model == defaultModel else { return capabilities }
        // An endpoint id (`ep-…`) hides its model: describe it with the default model's limits.
        guard let entry = known ?? SeedanceModels.entry(for: defaultModel) ?? SeedanceModels.entries.first else {
            return ProviderCapabilities(models: [model])
        }
        return ProviderCapabilities(
            models: [model], secondsRange: entry.seconds, defaultSeconds: 5,
            sizes: SeedanceModels.sizeList(entry.resolutions), aspectRatios: SeedanceModels.ratios,
            resolutions: entry.resolutions, imageInput: entry.imageInput, lastFrame: entry.lastFrame,
            audio: entry.audio, negativePrompt: false, seed: true, fps: false, extraBody: true,
            textToVideo: entry.textToVideo, maxReferenceImages: entry.referenceImages, watermark: true)
    }

    /// Cancel works on queued tasks only (Ark refuses running ones); callbacks are unsigned task objects;
    /// there is no client reference to find a lost submit again.
    public var features: ProviderFeatures { ProviderFeatures(cancel: true, callbacks: true, reconcile: false) }

    /// The create body: the one place the wire request is built.
    func body(for request: VideoRequest) throws(ProviderError) -> JSONValue {
        try SeedanceMapping.body(for: request, model: request.model ?? defaultModel, callbackURL: settings.callbackURL,
                                 watermark: SeedanceModels.flag(settings.options["watermark"]), provider: name)
    }

    public func wireRequest(for request: VideoRequest, idempotencyKey: String) throws -> JSONValue {
        try body(for: request)
    }

    public func submit(_ request: VideoRequest, idempotencyKey: String) async throws -> String {
        let answer = try await http.json(ProviderHTTPRequest("POST", "/contents/generations/tasks",
                                                             body: .json(try body(for: request)),
                                                             operation: "submit", isCreate: true))
        let id = try http.createdJobID(answer["id"], in: answer, operation: "submit")
        return id
    }

    public func status(of jobID: String) async throws -> VideoJobStatus {
        SeedanceMapping.status(from: try await task(jobID, operation: "status of task \(jobID)"), pollAfterMs: pollAfterMs)
    }

    /// Deletes a queued task (it becomes `cancelled`). A finished task is left alone: Ark's DELETE would
    /// erase its record. A running task cannot be cancelled at Ark.
    public func cancel(_ jobID: String) async throws {
        try await cancelWhileQueued(jobID, runningRefusal: "Ark cancels queued tasks only; task \(jobID) is already running") {
            _ = try await http.send(ProviderHTTPRequest("DELETE", "/contents/generations/tasks/\(escaped(jobID))",
                                                        operation: "cancel task \(jobID)"))
        }
    }

    public func resultLocation(of jobID: String) async throws -> ResultLocation {
        try await succeededResult(of: jobID)
    }

    /// Lists one task: authenticated, free, and never a generation.
    public func testConnection() async throws {
        _ = try await http.json(ProviderHTTPRequest("GET", "/contents/generations/tasks",
                                                    query: [("page_num", "1"), ("page_size", "1")],
                                                    operation: "test connection"))
    }

    /// Ark POSTs the task object to `callback_url` on status changes, unsigned: with a webhook secret set,
    /// the `token` query parameter vidflow added to the URL must match it.
    public func callback(_ delivery: ProviderCallbackDelivery) throws -> ProviderCallbackUpdate? {
        if let secret = settings.webhookSecret, !secret.isEmpty {
            guard let token = delivery.query["token"], Self.constantTimeEqual(token, secret) else {
                throw ProviderError(provider: name, operation: "callback", kind: .auth,
                                    message: "callback token missing or wrong")
            }
        }
        guard let task = try? JSONValue.parse(String(decoding: delivery.body, as: UTF8.self)) else {
            throw ProviderError(provider: name, operation: "callback", kind: .invalidInput, message: "callback body is not JSON")
        }
        guard let id = task["id"]?.stringValue, !id.isEmpty, task["status"]?.stringValue != nil else { return nil }
        return ProviderCallbackUpdate(jobID: id, status: SeedanceMapping.status(from: task, pollAfterMs: pollAfterMs))
    }

    private func task(_ jobID: String, operation: String) async throws(ProviderError) -> JSONValue {
        try await http.json(ProviderHTTPRequest("GET", "/contents/generations/tasks/\(escaped(jobID))", operation: operation))
    }

    private func escaped(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? id
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8), right = Array(b.utf8)
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
