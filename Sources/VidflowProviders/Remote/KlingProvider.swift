import Foundation
import VidflowCore

/// The Kling AI API, legacy `/v1` surface: `POST /v1/videos/text2video` or `/v1/videos/image2video`,
/// `GET /v1/videos/{endpoint}/{task_id}`, answers in the `{code, message, request_id, data}` envelope.
///
/// Auth is a JWT (HS256) built per request from an access key (`settings.apiKeys`) and the secret key
/// at the same position (`settings.secretKeys`); without secret keys the access key is sent as a static
/// API key (Kling's 2026 key scheme, unconfirmed). Each task carries the idempotency key as
/// `external_task_id`, so a lost create answer is found again (`lookup`), and `settings.callbackURL`
/// as `callback_url`. Kling has no cancel API. vidflow job ids are `<endpoint>:<task_id>`, because a
/// task is read back under the endpoint that created it.
///
/// ```swift
/// let kling = KlingProvider(settings: ProviderSettings(apiKeys: ["ak"], secretKeys: ["sk"]))
/// let id = try await kling.submit(VideoRequest(prompt: "a fox", seconds: 5), idempotencyKey: "vf-run-gen")
/// // "text2video:846532019247"
/// ```
public final class KlingProvider: VideoProvider {
    public static let defaultBaseURL = "https://api-singapore.klingai.com"

    public let name = "kling"
    let http: ProviderHTTPClient
    let callbackURL: String?
    let webhookSecret: String?
    /// The JWTs of the access keys that have secret keys, signed before each request.
    let tokens: KlingModels.Tokens
    /// The wait suggested between polls (the Vercel SDK polls every 5 s); tests pass less.
    let pollAfterMs: Int

    /// `pollAfterMs` (or `options["poll_after_ms"]`) overrides the 5 s poll hint.
    public init(settings: ProviderSettings, pollAfterMs: Int? = nil) {
        self.pollAfterMs = pollAfterMs ?? settings.options["poll_after_ms"].flatMap(Int.init) ?? 5000
        self.callbackURL = settings.callbackURL
        self.webhookSecret = settings.webhookSecret
        let accessKeys = settings.apiKeys.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let secretKeys = settings.secretKeys.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        var secrets: [String: String] = [:]
        for (index, key) in accessKeys.enumerated() where index < secretKeys.count && secrets[key] == nil {
            secrets[key] = secretKeys[index]
        }
        let usesJWT = !secretKeys.isEmpty
        let tokens = KlingModels.Tokens(secrets: secrets)
        self.tokens = tokens
        var http = ProviderHTTPClient(provider: "kling", settings: settings, baseURL: settings.baseURL ?? Self.defaultBaseURL) { key in
            if let token = tokens.token(for: key) { return [("Authorization", "Bearer " + token)] }
            guard !usesJWT else {
                throw ProviderError(provider: "kling", operation: "sign request", kind: .auth,
                                    message: "no secret key for access key \(APIKeyPool.mask(key)) (KLING_SECRET_KEY lists them in the same order)",
                                    jobCertainlyNotCreated: true)
            }
            return [("Authorization", "Bearer \(key)")]
        }
        http.classify = { response in
            guard let json = response.jsonIfAny, let code = json["code"]?.intValue, code != 0 else { return nil }
            return KlingModels.verdict(code: code, message: json["message"]?.stringValue ?? "")
        }
        self.http = http
    }

    public var capabilities: ProviderCapabilities { capabilities(for: KlingModels.table[0].id) }

    public func capabilities(for model: String) -> ProviderCapabilities {
        guard let spec = KlingModels.model(model) else {
            var unknown = KlingModels.capabilities(KlingModels.table[0])
            unknown.models = KlingModels.table.map(\.id)
            return unknown
        }
        return KlingModels.capabilities(spec)
    }

    public var features: ProviderFeatures { ProviderFeatures(cancel: false, callbacks: true, reconcile: true) }

    // MARK: Requests

    public func wireRequest(for request: VideoRequest, idempotencyKey: String) throws -> JSONValue {
        let create = try KlingModels.create(request, idempotencyKey: idempotencyKey, callbackURL: callbackURL, provider: name)
        var body = create.body.objectValue ?? [:]
        if let url = body["callback_url"]?.stringValue, let secret = webhookSecret, !secret.isEmpty {
            body["callback_url"] = .string(url.replacingOccurrences(of: secret, with: "****"))
        }
        return ["path": .string("/v1/videos/" + create.endpoint), "body": .object(body)]
    }

    public func submit(_ request: VideoRequest, idempotencyKey: String) async throws -> String {
        let create = try KlingModels.create(request, idempotencyKey: idempotencyKey, callbackURL: callbackURL, provider: name)
        let data = try await data(ProviderHTTPRequest("POST", "/v1/videos/" + create.endpoint, body: .json(create.body),
                                                      operation: "submit", isCreate: true))
        let taskID = try http.createdJobID(Self.taskID(data).map(JSONValue.string), in: data, operation: "submit")
        return KlingModels.jobID(endpoint: create.endpoint, taskID: taskID)
    }

    public func status(of jobID: String) async throws -> VideoJobStatus {
        let (endpoint, taskID) = KlingModels.parse(jobID)
        let operation = "status of task \(jobID)"
        let data = try await data(ProviderHTTPRequest("GET", "/v1/videos/\(endpoint)/\(Self.escaped(taskID))", operation: operation))
        guard let status = KlingModels.status(of: data, pollAfterMs: pollAfterMs) else {
            throw ProviderError(provider: name, operation: operation, kind: .transient,
                                message: "unknown task_status in \(data.canonicalJSON.prefix(200))")
        }
        return status
    }

    /// Kling's video URLs are public (kept 30 days); a fresh read returns them again.
    public func resultLocation(of jobID: String) async throws -> ResultLocation {
        try await succeededResult(of: jobID)
    }

    public func cancel(_ jobID: String) async throws {
        throw ProviderError(provider: name, operation: "cancel task \(jobID)", kind: .invalidInput,
                            message: "Kling offers no way to cancel a task; it runs to its end")
    }

    /// Finds the task created with `external_task_id` = `idempotencyKey`. Path form chosen: the external
    /// id in the query path, `GET /v1/videos/{text2video|image2video}/{external_task_id}` (Kling accepts
    /// either id there), under the endpoint the request would have used. A 404 (code 1203) or a
    /// "not found" envelope means no such task; anything else fails the lookup rather than guess.
    public func lookup(idempotencyKey: String, request: VideoRequest) async throws -> String? {
        let endpoint = request.image == nil ? "text2video" : "image2video"
        let operation = "look up task \(idempotencyKey)"
        let answer = await result(ProviderHTTPRequest("GET", "/v1/videos/\(endpoint)/\(Self.escaped(idempotencyKey))",
                                                      operation: operation))
        let data: JSONValue
        switch answer {
        case .success(let value):
            data = value
        case .failure(let error):
            if error.httpStatus == 404 || error.message.hasSuffix("(code 1203)") { return nil }
            throw error
        }
        guard let taskID = Self.taskID(data) else { return nil }
        if let external = data["task_info"]?["external_task_id"]?.stringValue, external != idempotencyKey {
            throw ProviderError(provider: name, operation: operation, kind: .providerFailed,
                                message: "Kling answered with task \(taskID) of another external_task_id (\(external))")
        }
        return KlingModels.jobID(endpoint: endpoint, taskID: taskID)
    }

    /// `GET /v1/videos/text2video?pageNum=1&pageSize=1`: queries are free and need a valid token.
    public func testConnection() async throws {
        _ = try await data(ProviderHTTPRequest("GET", "/v1/videos/text2video", query: [("pageNum", "1"), ("pageSize", "1")],
                                               operation: "test connection"))
    }

    /// Reads a Kling callback: the task `data` object POSTed on every status change. Kling does not sign
    /// callbacks, so when a webhook secret is set the URL's `token` must match it. The `kind` query
    /// parameter (added to `callback_url` at submit) names the endpoint for the job id.
    public func callback(_ delivery: ProviderCallbackDelivery) throws -> ProviderCallbackUpdate? {
        if let secret = webhookSecret, !secret.isEmpty, delivery.query["token"] != secret {
            throw ProviderError(provider: name, operation: "callback", kind: .auth, message: "callback token does not match")
        }
        guard let json = try? JSONValue.parse(String(decoding: delivery.body, as: UTF8.self)), json.objectValue != nil else {
            throw ProviderError(provider: name, operation: "callback", kind: .invalidInput, message: "callback body is not a JSON object")
        }
        // The documented body is the bare `data` object; an enveloped one is accepted too.
        let data = json["task_id"] == nil && json["data"]?["task_id"] != nil ? (json["data"] ?? json) : json
        guard let taskID = Self.taskID(data), let status = KlingModels.status(of: data, pollAfterMs: pollAfterMs) else {
            return nil
        }
        let kind = delivery.query["kind"].flatMap { KlingModels.endpoints.contains($0) ? $0 : nil } ?? "text2video"
        return ProviderCallbackUpdate(jobID: KlingModels.jobID(endpoint: kind, taskID: taskID), status: status)
    }

    // MARK: Plumbing

    /// The `data` of a Kling answer; a `code` other than 0 is an error (the API answered, so nothing was created).
    private func data(_ request: ProviderHTTPRequest) async throws(ProviderError) -> JSONValue {
        try await tokens.refresh(provider: name, operation: request.operation)
        let json = try await http.json(request)
        if let code = json["code"]?.intValue, code != 0 {
            let message = json["message"]?.stringValue ?? ""
            let verdict = KlingModels.verdict(code: code, message: message)
                ?? .init(kind: .providerFailed, message: "\(message.isEmpty ? "Kling error" : message) (code \(code))")
            throw ProviderError(provider: name, operation: request.operation, kind: verdict.kind, message: verdict.message,
                                httpStatus: 200, jobCertainlyNotCreated: true)
        }
        guard let data = json["data"], !data.isNull else {
            throw ProviderError(provider: name, operation: request.operation, kind: .transient,
                                message: "answer has no data: \(json.canonicalJSON.prefix(200))")
        }
        return data
    }

    private func result(_ request: ProviderHTTPRequest) async -> Result<JSONValue, ProviderError> {
        do {
            return .success(try await data(request))
        } catch {
            return .failure(error)
        }
    }

    private static func taskID(_ data: JSONValue) -> String? {
        data["task_id"]?.stringValue ?? data["task_id"]?.intValue.map(String.init)
    }

    static func escaped(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? id
    }
}
