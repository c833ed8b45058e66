import Foundation
import VidflowCore

/// Alibaba Wan video synthesis on DashScope / Model Studio: async creates (`X-DashScope-Async: enable`)
/// on the video-generation path (the image2video path for `kf2v` models), `GET /tasks/{id}`, and
/// `POST /tasks/{id}/cancel` for pending tasks.
///
/// The default base URL is Beijing (`dashscope.aliyuncs.com`, the SDK's default); keys, models and
/// tasks are region-bound, so set `base_url` or the option `region` (`singapore`/`intl`, `us`/`virginia`)
/// for the other regions. The default model is `wan2.6-i2v` (image + prompt); the option `model` sets
/// another. No callbacks: the async-callback format is unconfirmed, so jobs are polled.
///
/// ```swift
/// let wan = DashScopeProvider(settings: ProviderSettings(apiKeys: ["sk-…"]))
/// let id = try await wan.submit(VideoRequest(model: "wan2.6-i2v", prompt: "waves", image: "/tmp/a.jpg"), idempotencyKey: "k")
/// ```
public final class DashScopeProvider: VideoProvider {
    /// Beijing, the SDK's default.
    public static let defaultBaseURL = "https://dashscope.aliyuncs.com/api/v1"
    public static let singaporeBaseURL = "https://dashscope-intl.aliyuncs.com/api/v1"
    public static let virginiaBaseURL = "https://dashscope-us.aliyuncs.com/api/v1"
    /// The docs suggest polling about every 15 s (jobs take 1–5 min; `GET /tasks` is capped at 20 QPS).
    public static let defaultPollAfterMs = 15_000

    public let name = "dashscope"
    private let http: ProviderHTTPClient
    private let pollAfterMs: Int?
    private let defaultModel: String

    /// `pollAfterMs` is the wait suggested between polls (nil: leave it to the poll stage's schedule).
    public init(settings: ProviderSettings, pollAfterMs: Int? = DashScopeProvider.defaultPollAfterMs) {
        self.pollAfterMs = pollAfterMs
        defaultModel = settings.options["model"] ?? DashScopeModels.defaultModel
        let base = settings.baseURL ?? Self.baseURL(region: settings.options["region"])
        var http = ProviderHTTPClient(provider: "dashscope", settings: settings, baseURL: base) { key in
            [("Authorization", "Bearer \(key)")]
        }
        http.classify = DashScopeMapping.verdict
        self.http = http
    }

    /// The regional host for an option value (Beijing when unset or unknown).
    static func baseURL(region: String?) -> String {
        switch region?.lowercased() {
        case "singapore"?, "intl"?, "ap-southeast-1"?: singaporeBaseURL
        case "us"?, "virginia"?, "us-east-1"?: virginiaBaseURL
        default: defaultBaseURL
        }
    }

    public var keyPool: APIKeyPool? { http.keys }

    public var capabilities: ProviderCapabilities {
        var described = capabilities(for: defaultModel)
        described.models = [defaultModel] + DashScopeModels.allIDs.filter { $0 != defaultModel }
        return described
    }

    public func capabilities(for model: String) -> ProviderCapabilities {
        guard let entry = DashScopeModels.entry(for: model) else {
            // An unknown id gets the full description, so validation names the known models.
            return model == defaultModel
                ? ProviderCapabilities(models: [model], imageInput: true, extraBody: true, watermark: true) : capabilities
        }
        let textOnly = entry.kind == .textToVideo || entry.kind == .textToVideo27
        return ProviderCapabilities(
            models: [model], allowedSeconds: entry.seconds, secondsRange: entry.range, defaultSeconds: 5,
            // Legacy t2v takes exact sizes; wan2.7-t2v a ratio; image models follow the image's aspect.
            sizes: entry.kind == .textToVideo ? DashScopeModels.sizeList(entry.tiers) : [],
            aspectRatios: entry.kind == .textToVideo ? DashScopeModels.ratioList(entry.tiers)
                : entry.kind == .textToVideo27 ? DashScopeModels.ratios27 : [],
            resolutions: entry.tiers, imageInput: !textOnly,
            lastFrame: entry.kind == .keyFrames || entry.kind == .imageToVideo27,
            audio: entry.sound, negativePrompt: true, seed: true, fps: false, extraBody: true,
            maxPromptLength: entry.maxPrompt, textToVideo: textOnly,
            // `parameters.watermark` (default false) on every Wan model; one video per task, no references or remix.
            watermark: true)
    }

    /// Pending tasks can be cancelled; no callbacks (format unconfirmed); no client reference for lookups.
    public var features: ProviderFeatures { ProviderFeatures(cancel: true, callbacks: false, reconcile: false) }

    /// The create body: the one place the wire request is built.
    func body(for request: VideoRequest) throws(ProviderError) -> JSONValue {
        try DashScopeMapping.body(for: request, model: request.model ?? defaultModel, provider: name)
    }

    public func wireRequest(for request: VideoRequest, idempotencyKey: String) throws -> JSONValue {
        try body(for: request)
    }

    public func submit(_ request: VideoRequest, idempotencyKey: String) async throws -> String {
        let model = request.model ?? defaultModel
        let answer = try await http.json(ProviderHTTPRequest(
            "POST", DashScopeMapping.path(for: model), headers: [("X-DashScope-Async", "enable")],
            body: .json(try body(for: request)), operation: "submit", isCreate: true))
        let id = try http.createdJobID(answer["output"]?["task_id"], in: answer, operation: "submit")
        return id
    }

    public func status(of jobID: String) async throws -> VideoJobStatus {
        DashScopeMapping.status(from: try await task(jobID), pollAfterMs: pollAfterMs)
    }

    /// Cancels a pending task. A finished task is left alone; a running one cannot be cancelled at DashScope.
    public func cancel(_ jobID: String) async throws {
        let refusal = "DashScope cancels PENDING tasks only; task \(jobID) is already running"
        try await cancelWhileQueued(jobID, runningRefusal: refusal) {
            // The answer's body is unconfirmed; a 2xx is taken as done.
            _ = try await http.send(ProviderHTTPRequest("POST", "/tasks/\(escaped(jobID))/cancel",
                                                        operation: "cancel task \(jobID)"))
        }
    }

    /// The task's pre-signed OSS link (no auth, valid 24 h); re-read so it is fresh.
    public func resultLocation(of jobID: String) async throws -> ResultLocation {
        try await succeededResult(of: jobID)
    }

    /// Asks for a made-up task id: a valid key gets HTTP 200 with `UNKNOWN`, a bad one 401.
    public func testConnection() async throws {
        _ = try await task("vidflow-connection-test-" + UUID().uuidString.lowercased())
    }

    private func task(_ jobID: String) async throws(ProviderError) -> JSONValue {
        try await http.json(ProviderHTTPRequest("GET", "/tasks/\(escaped(jobID))", operation: "status of task \(jobID)"))
    }

    private func escaped(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? id
    }
}
