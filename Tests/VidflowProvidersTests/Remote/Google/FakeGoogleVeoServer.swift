import Foundation
import Synchronization
import VidflowCore
import VidflowProviders

/// A stateful fake of the Gemini API's Veo surface on `FakeHTTPServer`: `POST /v1beta/models/{model}:predictLongRunning`,
/// `GET /v1beta/models/{model}/operations/{id}`, `GET /v1beta/files/{id}:download?alt=media` (302 to the media, as
/// Google answers), `GET /v1beta/models`. Keys travel in `x-goog-api-key`; a wrong one gets Google's HTTP 400
/// `API_KEY_INVALID` envelope. Operations stay `done: false` for `pollsUntilDone` polls, then end as `outcome` says.
final class FakeGoogleVeoServer: Sendable {
    /// How a finished operation ends.
    enum Outcome: Sendable {
        case video
        /// `done` with `error {code, message, status}`.
        case error(code: Int, message: String, status: String)
        /// `done` with no samples and `raiMediaFilteredCount` / `raiMediaFilteredReasons`.
        case filtered(reasons: [String])
        /// Never `done`.
        case never
    }

    struct Config: Sendable {
        var validKeys: Set<String> = ["test-key"]
        var pollsUntilDone = 2
        var outcome: Outcome = .video
        /// Answers given to the first creates instead of a real one (429, 500, broken bodies, …).
        var createFailures: [FakeResponse] = []
        /// Delay before answering a (real) create.
        var createDelay: Duration?
        /// Answers given to the first operation polls instead of the real one.
        var pollFailures: [FakeResponse] = []
    }

    private let core: Core
    let server: FakeHTTPServer

    private init(core: Core, server: FakeHTTPServer) {
        self.core = core
        self.server = server
    }

    static func start(video: Data, config: Config = Config()) async throws -> FakeGoogleVeoServer {
        let core = Core(config: config, video: video)
        let server = try await FakeHTTPServer.start { request in core.answer(request) }
        core.state.withLock { $0.origin = server.baseURL }
        return FakeGoogleVeoServer(core: core, server: server)
    }

    func stop() async { await server.stop() }

    var baseURL: String { server.baseURL + "/v1beta" }
    var requests: [RecordedRequest] { server.requests }
    var creates: [RecordedRequest] { server.requests.filter { $0.method == "POST" && $0.path.hasSuffix(":predictLongRunning") } }
    var polls: [RecordedRequest] { server.requests.filter { $0.method == "GET" && $0.path.contains("/operations/") } }
    var downloads: [RecordedRequest] { server.requests.filter { $0.path.hasSuffix(":download") } }
    var operationCount: Int { core.state.withLock { $0.operations.count } }

    func update(_ change: @Sendable (inout Config) -> Void) { core.state.withLock { change(&$0.config) } }

    /// Settings pointing a provider at this fake.
    func settings(keys: [String] = ["test-key"], timeout: Int = 10) -> ProviderSettings {
        ProviderSettings(apiKeys: keys, baseURL: baseURL, requestTimeout: timeout)
    }
}

/// The fake's state and answers.
private final class Core: Sendable {
    struct State: Sendable {
        var config: FakeGoogleVeoServer.Config
        var operations: [String: (model: String, polls: Int, samples: Int)] = [:]
        var nextID = 1
        /// `http://127.0.0.1:<port>`, for the URIs the fake hands out.
        var origin = ""
    }

    let state: Mutex<State>
    let video: Data

    init(config: FakeGoogleVeoServer.Config, video: Data) {
        state = Mutex(State(config: config))
        self.video = video
    }

    // MARK: Routing

    func answer(_ request: RecordedRequest) -> FakeResponse {
        let path = request.path
        let origin = state.withLock { $0.origin }
        if path.hasPrefix("/media/") { return .bytes(video) }
        guard state.withLock({ $0.config.validKeys.contains(request.headers["x-goog-api-key"] ?? "") }) else {
            return FakeGoogleVeoServer.error(400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT", details: [
                ["@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com"],
            ])
        }
        if request.method == "POST", path.hasPrefix("/v1beta/models/"), path.hasSuffix(":predictLongRunning") {
            let model = String(path.dropFirst("/v1beta/models/".count).dropLast(":predictLongRunning".count))
            return create(model: model, request)
        }
        if request.method == "GET", path.hasPrefix("/v1beta/models/"), path.contains("/operations/") {
            return poll(String(path.dropFirst("/v1beta/".count)), origin: origin)
        }
        if request.method == "GET", path.hasPrefix("/v1beta/files/"), path.hasSuffix(":download") {
            guard request.query["alt"] == "media" else { return FakeGoogleVeoServer.error(400, "alt=media is required", "INVALID_ARGUMENT") }
            let file = path.dropFirst("/v1beta/files/".count).dropLast(":download".count)
            return FakeResponse(status: 302, headers: [("Location", origin + "/media/\(file).mp4")], body: Data())
        }
        if request.method == "GET", path == "/v1beta/models" {
            return .json(["models": [["name": "models/veo-3.1-generate-preview",
                                      "supportedGenerationMethods": ["predictLongRunning"]]]])
        }
        return FakeGoogleVeoServer.error(404, "Requested entity was not found.", "NOT_FOUND")
    }

    private func create(model: String, _ request: RecordedRequest) -> FakeResponse {
        guard let body = request.json, let instance = body["instances"]?.arrayValue?.first,
              instance["prompt"]?.stringValue != nil else {
            return FakeGoogleVeoServer.error(400, "Invalid JSON payload received.", "INVALID_ARGUMENT")
        }
        if let duration = body["parameters"]?["durationSeconds"], duration.intValue == nil || duration.typeName != "int" {
            return FakeGoogleVeoServer.error(400, "durationSeconds must be an integer", "INVALID_ARGUMENT")
        }
        if let refusal = checkAdvanced(model: model, instance: instance, parameters: body["parameters"]) {
            return FakeGoogleVeoServer.error(400, refusal, "INVALID_ARGUMENT")
        }
        let samples = body["parameters"]?["sampleCount"]?.intValue ?? 1
        let (scripted, delay, name): (FakeResponse?, Duration?, String) = state.withLock { state in
            if !state.config.createFailures.isEmpty { return (state.config.createFailures.removeFirst(), nil, "") }
            let id = "op\(state.nextID)"
            state.nextID += 1
            let name = "models/\(model)/operations/\(id)"
            state.operations[name] = (model, 0, samples)
            return (nil, state.config.createDelay, name)
        }
        if let scripted { return scripted }
        let answer = FakeResponse.json(["name": .string(name)])
        return delay.map { answer.delayed($0) } ?? answer
    }

    private func poll(_ name: String, origin: String) -> FakeResponse {
        state.withLock { state in
            if !state.config.pollFailures.isEmpty { return state.config.pollFailures.removeFirst() }
            guard var operation = state.operations[name] else {
                return FakeGoogleVeoServer.error(404, "Operation not found: \(name)", "NOT_FOUND")
            }
            operation.polls += 1
            state.operations[name] = operation
            let done: Bool
            if case .never = state.config.outcome { done = false } else { done = operation.polls > state.config.pollsUntilDone }
            guard done else {
                return .json(["name": .string(name), "metadata": ["@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningMetadata"]])
            }
            switch state.config.outcome {
            case .video, .never:
                let file = name.split(separator: "/").last.map(String.init) ?? "file"
                let samples: [JSONValue] = (0..<operation.samples).map { index in
                    let uri = origin + "/v1beta/files/\(file)\(index == 0 ? "" : "s\(index)"):download?alt=media"
                    return ["video": ["uri": .string(uri)]]
                }
                return .json(["name": .string(name), "done": true, "response": [
                    "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse",
                    "generateVideoResponse": ["generatedSamples": .array(samples)],
                ]])
            case .error(let code, let message, let status):
                return .json(["name": .string(name), "done": true,
                              "error": ["code": .int(code), "message": .string(message), "status": .string(status)]])
            case .filtered(let reasons):
                return .json(["name": .string(name), "done": true, "response": [
                    "generateVideoResponse": ["raiMediaFilteredCount": .int(reasons.count),
                                              "raiMediaFilteredReasons": .array(reasons.map { .string($0) })],
                ]])
            }
        }
    }
}

extension Core {
    /// The Gemini API's rules for `sampleCount`, `referenceImages` and `video` (extension), as its 400 messages.
    func checkAdvanced(model: String, instance: JSONValue, parameters: JSONValue?) -> String? {
        let veo31 = model.hasPrefix("veo-3.1")
        if let count = parameters?["sampleCount"] {
            let max = model.hasPrefix("veo-2") ? 2 : 1
            guard let value = count.intValue, (1...max).contains(value) else {
                return "sampleCount must be between 1 and \(max) for \(model)."
            }
        }
        if let references = instance["referenceImages"] {
            guard veo31, !model.contains("lite") else { return "referenceImages is not supported by \(model)." }
            guard let items = references.arrayValue, (1...3).contains(items.count) else {
                return "referenceImages must hold 1 to 3 images."
            }
            for item in items {
                guard item["referenceType"] == "ASSET" else { return "referenceType must be ASSET; STYLE is not supported." }
                guard item["image"]?["bytesBase64Encoded"]?.stringValue?.isEmpty == false,
                      item["image"]?["mimeType"]?.stringValue != nil else {
                    return "referenceImages[].image needs bytesBase64Encoded and mimeType."
                }
            }
            if instance["image"] != nil || instance["lastFrame"] != nil || instance["video"] != nil {
                return "referenceImages cannot be combined with image, lastFrame or video."
            }
            if instance["prompt"]?.stringValue?.isEmpty != false { return "A prompt is required with referenceImages." }
        }
        if let video = instance["video"] {
            guard veo31 else { return "Video extension is not supported by \(model)." }
            let known = state.withLock { state in
                state.operations.keys.contains { name in
                    let file = name.split(separator: "/").last.map(String.init) ?? ""
                    return video["uri"]?.stringValue == state.origin + "/v1beta/files/\(file):download?alt=media"
                }
            }
            guard known else { return "video.uri must name a video generated by Veo." }
            if let resolution = parameters?["resolution"]?.stringValue, resolution != "720p" {
                return "Video extension only supports 720p."
            }
        }
        return nil
    }
}

extension FakeGoogleVeoServer {
    /// Google's error envelope.
    static func error(_ code: Int, _ message: String, _ status: String, details: [JSONValue] = [],
                      headers: [(String, String)] = []) -> FakeResponse {
        var error: [String: JSONValue] = ["code": .int(code), "message": .string(message), "status": .string(status)]
        if !details.isEmpty { error["details"] = .array(details) }
        return .json(["error": .object(error)], status: code, headers: headers)
    }

    /// The 429 Google sends when a quota runs out (shape of Vercel's `google-429-retry-info.json` fixture).
    static func quotaExceeded(retryDelay: String, quotaID: String = "GenerateRequestsPerMinutePerProjectPerModel") -> FakeResponse {
        error(429, "You exceeded your current quota, please check your plan and billing details.", "RESOURCE_EXHAUSTED", details: [
            ["@type": "type.googleapis.com/google.rpc.QuotaFailure",
             "violations": [["quotaMetric": "generativelanguage.googleapis.com/generate_requests_per_model",
                             "quotaId": .string(quotaID)]]],
            ["@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": .string(retryDelay)],
        ])
    }
}
