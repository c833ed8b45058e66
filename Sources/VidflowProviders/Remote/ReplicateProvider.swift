import Foundation
import Synchronization
import VidflowCore

/// Replicate's predictions API: one prediction per job (official models by `owner/name`, pinned versions
/// by `owner/name:<version>`), status polls, cancel, and Standard-Webhooks-signed callbacks.
///
/// The default model is `bytedance/seedance-1-pro`; any model is accepted, its unified fields sent in
/// `input` under Replicate's common names (`prompt`, `duration`, `image`, `last_frame_image`, ...), with
/// `extra_body` for the rest; reference images go to Seedance 1 Lite's `reference_images`, and a list
/// `output` is read as the result plus `additionalResults`. With `settings.callbackURL`, creates carry `webhook` and
/// `webhook_events_filter: ["completed"]`; deliveries are verified with `settings.webhookSecret`
/// (`whsec_…`), or, when none is configured, with the account's secret fetched from
/// `GET /v1/webhooks/default/secret` ahead of time (by `submit`, `testConnection` or
/// `prepareCallbackVerification()`; `callback(_:)` is synchronous).
///
/// Replicate has no client reference or idempotency key, and whether its list API echoes `input`
/// (images included) is unconfirmed, so a lost create answer is not reconciled (`features.reconcile` false):
/// the stage fails rather than risk paying twice.
///
/// ```swift
/// let replicate = ReplicateProvider(settings: ProviderSettings(apiKeys: ["r8_…"]))
/// let id = try await replicate.submit(VideoRequest(prompt: "a fox in the snow", seconds: 5), idempotencyKey: "vf-run-generate")
/// ```
public final class ReplicateProvider: VideoProvider {
    public static let defaultBaseURL = "https://api.replicate.com"

    public let name = "replicate"
    public let settings: ProviderSettings
    let http: ProviderHTTPClient
    /// A poll interval to suggest (`options["poll_after_ms"]`); Replicate gives no hint of its own.
    let pollAfterMs: Int?
    /// The account's webhook secret fetched from the API, when settings hold none.
    private let fetchedSecret = Mutex<String?>(nil)

    public init(settings: ProviderSettings) {
        self.settings = settings
        var http = ProviderHTTPClient(provider: "replicate", settings: settings, baseURL: settings.baseURL ?? Self.defaultBaseURL) { key in
            [("Authorization", "Bearer \(key)")]
        }
        http.classify = Self.classify
        self.http = http
        pollAfterMs = settings.options["poll_after_ms"].flatMap(Int.init)
    }

    public var capabilities: ProviderCapabilities {
        var capabilities = ReplicateModels.capabilities(for: ReplicateModels.defaultModel)
        capabilities.models = ReplicateModels.known
        return capabilities
    }

    public func capabilities(for model: String) -> ProviderCapabilities { ReplicateModels.capabilities(for: model) }

    public var features: ProviderFeatures { ProviderFeatures(cancel: true, callbacks: true) }

    /// The create body, with the callback URL's `token` masked (it guards vidflow's callback endpoint).
    public func wireRequest(for request: VideoRequest, idempotencyKey: String) throws -> JSONValue {
        let masked = settings.callbackURL.map { url -> String in
            guard var components = URLComponents(string: url) else { return url }
            components.queryItems = components.queryItems?.map { $0.name == "token" ? URLQueryItem(name: "token", value: "****") : $0 }
            return components.string ?? url
        }
        return try ReplicateModels.creation(for: request, provider: name, webhook: masked).body
    }

    public func submit(_ request: VideoRequest, idempotencyKey: String) async throws -> String {
        let (path, body) = try ReplicateModels.creation(for: request, provider: name, webhook: settings.callbackURL)
        if settings.callbackURL != nil, webhookSecret == nil {
            // The secret must be at hand before the webhook arrives; a failure here only delays verification.
            try? await fetchWebhookSecret()
        }
        let prediction = try await http.json(ProviderHTTPRequest("POST", path, body: .json(body),
                                                                 operation: "create prediction", isCreate: true))
        let id = try http.createdJobID(prediction["id"], in: prediction, operation: "create prediction")
        return id
    }

    public func status(of jobID: String) async throws -> VideoJobStatus {
        let prediction = try await http.json(ProviderHTTPRequest("GET", "/v1/predictions/\(Self.escape(jobID))",
                                                                 operation: "status of prediction \(jobID)"))
        return unified(prediction)
    }

    public func cancel(_ jobID: String) async throws {
        // Replicate answers 200 with the prediction, also when it already ended (it is left as it was).
        _ = try await http.send(ProviderHTTPRequest("POST", "/v1/predictions/\(Self.escape(jobID))/cancel",
                                                    operation: "cancel prediction \(jobID)"))
    }

    public func resultLocation(of jobID: String) async throws -> ResultLocation {
        let prediction = try await http.json(ProviderHTTPRequest("GET", "/v1/predictions/\(Self.escape(jobID))",
                                                                 operation: "result of prediction \(jobID)"))
        guard let url = ReplicateModels.videoURL(in: prediction["output"]) else {
            throw ProviderError(provider: name, operation: "result of prediction \(jobID)", kind: .providerFailed,
                                message: "prediction \(jobID) has no output URL (status \(prediction["status"]?.stringValue ?? "?"))")
        }
        return ResultLocation(url: url)
    }

    /// `GET /v1/account`: authenticated, free. With callbacks on and no configured secret, the
    /// account's webhook secret is fetched too.
    public func testConnection() async throws {
        _ = try await http.json(ProviderHTTPRequest("GET", "/v1/account", operation: "test connection"))
        if settings.callbackURL != nil, settings.webhookSecret == nil { try await fetchWebhookSecret() }
    }

    /// Loads the account's webhook signing secret when settings hold none, so `callback(_:)` can verify
    /// deliveries; call it at start-up when callbacks are on.
    public func prepareCallbackVerification() async throws {
        if settings.webhookSecret == nil { try await fetchWebhookSecret() }
    }

    public func callback(_ delivery: ProviderCallbackDelivery) throws -> ProviderCallbackUpdate? {
        guard let secret = webhookSecret else {
            var error = ProviderError(provider: name, operation: "verify callback", kind: .auth,
                                      message: "no webhook secret: set webhook_secret (whsec_…) or call prepareCallbackVerification()")
            error.freshKeysMayHelp = true
            throw error
        }
        try ReplicateWebhookVerifier.verify(delivery, secret: secret)
        guard let prediction = try? JSONValue.parse(String(decoding: delivery.body, as: UTF8.self)) else {
            throw ProviderError(provider: name, operation: "callback", kind: .invalidInput, message: "callback body is not JSON")
        }
        guard let id = prediction["id"]?.stringValue, prediction["status"]?.stringValue != nil else { return nil }
        return ProviderCallbackUpdate(jobID: id, status: unified(prediction))
    }

    // MARK: - Helpers

    private var webhookSecret: String? { settings.webhookSecret ?? fetchedSecret.withLock { $0 } }

    private func fetchWebhookSecret() async throws(ProviderError) {
        let body = try await http.json(ProviderHTTPRequest("GET", "/v1/webhooks/default/secret",
                                                           operation: "fetch webhook secret"))
        guard let key = body["key"]?.stringValue, !key.isEmpty else {
            throw ProviderError(provider: name, operation: "fetch webhook secret", kind: .providerFailed,
                                message: "the answer holds no key")
        }
        fetchedSecret.withLock { $0 = key }
    }

    /// A prediction object in the unified vocabulary.
    func unified(_ prediction: JSONValue) -> VideoJobStatus {
        let error = prediction["error"].flatMap { $0.stringValue ?? ($0.isNull ? nil : $0.canonicalJSON) }
        switch prediction["status"]?.stringValue {
        case "starting":
            return VideoJobStatus(state: .queued, progress: 0, pollAfterMs: pollAfterMs)
        case "succeeded":
            let urls = ReplicateModels.videoURLs(in: prediction["output"])
            guard let url = urls.first else {
                return VideoJobStatus(state: .failed, errorMessage: "succeeded without an output URL", errorKind: .providerFailed)
            }
            // A list output (a model making several videos) is the result plus further results.
            var status = VideoJobStatus(state: .succeeded, progress: 100, result: ResultLocation(url: url),
                                        cost: prediction["metrics"])
            status.additionalResults = urls.dropFirst().map { ResultLocation(url: $0) }
            return status
        case "failed":
            let reason = error ?? "no reason given"
            return VideoJobStatus(state: .failed, errorMessage: reason,
                                  errorKind: ReplicateModels.isContentRejection(reason) ? .rejectedContent : .providerFailed)
        case "canceled":
            return VideoJobStatus(state: .cancelled, errorMessage: error ?? "prediction was canceled", errorKind: .cancelled)
        case "aborted":
            return VideoJobStatus(state: .cancelled, errorMessage: error ?? "prediction was aborted (its deadline passed before it started)",
                                  errorKind: .cancelled)
        default:
            // processing, and anything newer this adapter does not know yet.
            return VideoJobStatus(state: .running, progress: ReplicateModels.progress(inLogs: prediction["logs"]?.stringValue),
                                  pollAfterMs: pollAfterMs)
        }
    }

    static func escape(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? id
    }

    /// Replicate's problem-JSON errors; 402 (spend limit / no credit) refuses the key like 401/403.
    @Sendable static func classify(_ response: ProviderHTTPResponse) -> ProviderHTTPClient.Verdict? {
        guard response.status == 402 else { return nil }
        return .init(kind: .auth, message: "HTTP 402: " + ProviderHTTPClient.errorMessage(response), benchKey: true)
    }
}
