import Foundation
import Synchronization
import VidflowCore

/// The fal.ai queue API (`queue.fal.run`), by default running Pika v2.2: a submit per job, status polls,
/// the result fetched as the model's output JSON, cancel, and signed webhooks.
///
/// Models are fal endpoint ids (`fal-ai/pika/v2.2/text-to-video`); any endpoint id is accepted. The
/// default is Pika v2.2 text-to-video, and a request with an image for it goes to
/// `fal-ai/pika/v2.2/image-to-video`, one with reference images (`images`) to `fal-ai/pika/v2.2/pikascenes`
/// (as `images[{image_url}]`). Job ids are `<app id>/requests/<request id>` (e.g.
/// `fal-ai/pika/requests/4c1…`), since status, result and cancel are addressed under the app id.
///
/// Webhooks: with `settings.callbackURL`, submits add `fal_webhook=<callbackURL>&fal_app=<app id>`.
/// fal signs deliveries with ED25519 keys published as a JWKS (`options["jwks_url"]` overrides the
/// default URL); `callback(_:)` is synchronous, so the keys are fetched ahead of time: by `submit` (when
/// callbacks are on), `testConnection`, or `prepareCallbackVerification()`, and cached for a day.
///
/// ```swift
/// let fal = FalProvider(settings: ProviderSettings(apiKeys: ["key_id:key_secret"]))
/// let job = try await fal.submit(VideoRequest(prompt: "a paper boat on a stream"), idempotencyKey: "vf-run-generate")
/// ```
public final class FalProvider: VideoProvider {
    public static let defaultBaseURL = "https://queue.fal.run"
    public static let defaultJWKSURL = "https://rest.alpha.fal.ai/.well-known/jwks.json"

    public let name = "fal"
    public let settings: ProviderSettings
    let http: ProviderHTTPClient
    let verifier: FalWebhookVerifier
    /// A poll interval to suggest (`options["poll_after_ms"]`); fal gives no hint of its own.
    let pollAfterMs: Int?
    /// Request ids this process cancelled (fal reports a cancelled job as `COMPLETED` with an error),
    /// and the app id of every request it submitted (for webhooks without `fal_app`).
    private let memory = Mutex<(cancelled: Set<String>, apps: [String: String])>(([], [:]))

    public init(settings: ProviderSettings) {
        self.settings = settings
        var http = ProviderHTTPClient(provider: "fal", settings: settings, baseURL: settings.baseURL ?? Self.defaultBaseURL) { key in
            [("Authorization", "Key \(key)")]
        }
        http.classify = Self.classify
        self.http = http
        verifier = FalWebhookVerifier(jwksURL: settings.options["jwks_url"] ?? Self.defaultJWKSURL,
                                      timeout: settings.requestTimeout)
        pollAfterMs = settings.options["poll_after_ms"].flatMap(Int.init)
    }

    public var capabilities: ProviderCapabilities {
        var capabilities = FalModels.capabilities(for: FalModels.defaultModel)
        capabilities.models = FalModels.known
        return capabilities
    }

    public func capabilities(for model: String) -> ProviderCapabilities { FalModels.capabilities(for: model) }

    public var features: ProviderFeatures { ProviderFeatures(cancel: true, callbacks: true) }

    public func wireRequest(for request: VideoRequest, idempotencyKey: String) throws -> JSONValue {
        try FalModels.submission(for: request, provider: name).input
    }

    public func submit(_ request: VideoRequest, idempotencyKey: String) async throws -> String {
        let (endpoint, input) = try FalModels.submission(for: request, provider: name)
        let app = FalModels.appID(of: endpoint)
        var query: [(String, String)] = []
        if let callbackURL = settings.callbackURL {
            query.append(("fal_webhook", callbackURL + (callbackURL.contains("?") ? "&" : "?") + "fal_app=" + app))
            // Keys must be at hand before the webhook can arrive; a failure here only delays verification.
            try? await verifier.refreshIfStale()
        }
        let body = try await http.json(ProviderHTTPRequest("POST", "/" + endpoint, query: query, body: .json(input),
                                                           operation: "submit to \(endpoint)", isCreate: true))
        let requestID = try http.createdJobID(body["request_id"], in: body, operation: "submit to \(endpoint)")
        memory.withLock { memory in
            if memory.apps.count >= 10_000 { memory.apps.removeAll() }  // a fallback only; webhooks carry fal_app
            memory.apps[requestID] = app
        }
        return Self.jobID(app: app, requestID: requestID)
    }

    public func status(of jobID: String) async throws -> VideoJobStatus {
        let (app, requestID) = try parse(jobID)
        let body = try await http.json(ProviderHTTPRequest("GET", "/\(app)/requests/\(requestID)/status",
                                                           query: [("logs", "false")], operation: "status of job \(jobID)"))
        switch body["status"]?.stringValue {
        case "IN_QUEUE":
            return VideoJobStatus(state: .queued, progress: 0, pollAfterMs: pollAfterMs)
        case "COMPLETED":
            let error = body["error"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
            let errorType = body["error_type"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
            if error != nil || errorType != nil {
                let reason = [error, errorType.map { "(\($0))" }].compactMap { $0 }.joined(separator: " ")
                return failure(requestID, reason: reason)
            }
            return try await finished(app: app, requestID: requestID, jobID: jobID)
        default:
            // IN_PROGRESS, and anything newer this adapter does not know yet.
            return VideoJobStatus(state: .running, pollAfterMs: pollAfterMs)
        }
    }

    public func cancel(_ jobID: String) async throws {
        let (app, requestID) = try parse(jobID)
        let answer = await attempt(ProviderHTTPRequest("PUT", "/\(app)/requests/\(requestID)/cancel",
                                                       operation: "cancel job \(jobID)"))
        switch answer {
        case .success:
            memory.withLock { _ = $0.cancelled.insert(requestID) }
        case .failure(let error):
            // 400 ALREADY_COMPLETED: a job that already ended is left alone.
            if error.httpStatus != 400 { throw error }
        }
    }

    public func resultLocation(of jobID: String) async throws -> ResultLocation {
        let (app, requestID) = try parse(jobID)
        let output = try await http.json(ProviderHTTPRequest("GET", "/\(app)/requests/\(requestID)",
                                                             operation: "result of job \(jobID)"))
        guard let url = FalModels.videoURL(in: output) else {
            throw ProviderError(provider: name, operation: "result of job \(jobID)", kind: .providerFailed,
                                message: "the result holds no video URL: \(output.canonicalJSON.prefix(300))")
        }
        return ResultLocation(url: url)
    }

    /// A status request for a request id that cannot exist: 404 proves the key and base URL work
    /// (401/403 do not). With callbacks on, the webhook keys are fetched too.
    public func testConnection() async throws {
        let app = FalModels.appID(of: FalModels.defaultModel)
        let answer = await attempt(ProviderHTTPRequest("GET", "/\(app)/requests/00000000-0000-0000-0000-000000000000/status",
                                                       query: [("logs", "false")], operation: "test connection"))
        if case .failure(let error) = answer, error.httpStatus != 404, error.httpStatus != 422 { throw error }
        if settings.callbackURL != nil { try await verifier.refresh() }
    }

    /// Fetches fal's webhook signing keys (JWKS), so `callback(_:)` can verify deliveries; call it once
    /// at start-up when callbacks are on (submit and testConnection refresh the keys as well). Fetches at
    /// most once a minute, however often it is called (a failed callback calls it).
    public func prepareCallbackVerification() async throws {
        try await verifier.refreshIfDue()
    }

    public func callback(_ delivery: ProviderCallbackDelivery) throws -> ProviderCallbackUpdate? {
        try verifier.verify(delivery)
        guard let body = try? JSONValue.parse(String(decoding: delivery.body, as: UTF8.self)) else {
            throw ProviderError(provider: name, operation: "callback", kind: .invalidInput, message: "callback body is not JSON")
        }
        guard let requestID = body["request_id"]?.stringValue else { return nil }
        guard let app = delivery.query["fal_app"] ?? memory.withLock({ $0.apps[requestID] }) else {
            throw ProviderError(provider: name, operation: "callback", kind: .invalidInput,
                                message: "callback for request \(requestID) names no fal app (fal_app)")
        }
        let jobID = Self.jobID(app: app, requestID: requestID)
        switch body["status"]?.stringValue {
        case "OK":
            let url = body["payload"].flatMap(FalModels.videoURL(in:))
            return ProviderCallbackUpdate(jobID: jobID, status: VideoJobStatus(state: .succeeded, progress: 100,
                                                                               result: url.map { ResultLocation(url: $0) }))
        case "ERROR":
            let reason = [body["error"]?.stringValue, FalModels.reason(in: body["payload"])].compactMap { $0 }
                .joined(separator: ": ")
            return ProviderCallbackUpdate(jobID: jobID, status: failure(requestID, reason: reason))
        default:
            return nil
        }
    }

    // MARK: - Helpers

    static func jobID(app: String, requestID: String) -> String { "\(app)/requests/\(requestID)" }

    private func parse(_ jobID: String) throws(ProviderError) -> (app: String, requestID: String) {
        guard let range = jobID.range(of: "/requests/", options: .backwards), range.lowerBound > jobID.startIndex,
              range.upperBound < jobID.endIndex else {
            throw ProviderError(provider: name, operation: "parse job id", kind: .invalidInput,
                                message: "'\(jobID)' is not a fal job id (<app id>/requests/<request id>)")
        }
        return (String(jobID[..<range.lowerBound]), String(jobID[range.upperBound...]))
    }

    /// The result of a `COMPLETED` job: its video, or the reason the result request gives for a failure.
    private func finished(app: String, requestID: String, jobID: String) async throws -> VideoJobStatus {
        let answer = await attempt(ProviderHTTPRequest("GET", "/\(app)/requests/\(requestID)", operation: "result of job \(jobID)"))
        let output: JSONValue
        switch answer {
        case .success(let response):
            guard let json = response.jsonIfAny else {
                throw ProviderError(provider: name, operation: "result of job \(jobID)", kind: .transient,
                                    message: "answered HTTP \(response.status) with a body that is not JSON", httpStatus: response.status)
            }
            output = json
        case .failure(let error) where Self.isJobFailure(error.httpStatus):
            // No FAILED status exists: a failed job is COMPLETED and its result answers with an error.
            return failure(requestID, reason: error.message)
        case .failure(let error):
            throw error
        }
        guard let url = FalModels.videoURL(in: output) else {
            return VideoJobStatus(state: .failed, errorMessage: "the result holds no video URL: \(output.canonicalJSON.prefix(300))",
                                  errorKind: .providerFailed)
        }
        return VideoJobStatus(state: .succeeded, progress: 100, result: ResultLocation(url: url))
    }

    /// Sends `request`, handing back its error instead of throwing it.
    private func attempt(_ request: ProviderHTTPRequest) async -> Result<ProviderHTTPResponse, ProviderError> {
        do { return .success(try await http.send(request)) } catch { return .failure(error) }
    }

    /// A 4xx answer from the result request that describes the job, not the call (auth, missing, throttled).
    static func isJobFailure(_ status: Int?) -> Bool {
        guard let status else { return false }
        return (400..<500).contains(status) && ![401, 403, 404, 408, 409, 429].contains(status)
    }

    /// A failed (or, after our cancel, cancelled) job in the unified vocabulary.
    private func failure(_ requestID: String, reason: String) -> VideoJobStatus {
        let cancelledHere = memory.withLock { $0.cancelled.contains(requestID) }
        if cancelledHere || reason.lowercased().contains("cancel") {
            return VideoJobStatus(state: .cancelled, errorMessage: reason.isEmpty ? "cancelled" : reason, errorKind: .cancelled)
        }
        let kind: ErrorKind = FalModels.isContentRejection(reason) ? .rejectedContent : .providerFailed
        return VideoJobStatus(state: .failed, errorMessage: reason.isEmpty ? "no reason given" : reason, errorKind: kind)
    }

    /// fal's error bodies (`{detail: "…"}` or `{detail: [{msg, type}]}`) read into a message; a 504 whose
    /// `X-Fal-Request-Timeout-Type` is `user` hit the caller's own deadline and is not retried.
    @Sendable static func classify(_ response: ProviderHTTPResponse) -> ProviderHTTPClient.Verdict? {
        let reason = FalModels.reason(in: response.jsonIfAny) ?? ProviderHTTPClient.errorMessage(response)
        let message = "HTTP \(response.status): \(reason)"
        switch response.status {
        case 401, 403: return .init(kind: .auth, message: message, benchKey: true)
        case 429: return .init(kind: .rateLimited, message: message)
        case 504 where response.headers["x-fal-request-timeout-type"] == "user":
            return .init(kind: .providerFailed, message: message)
        case 408, 409, 500...599: return .init(kind: .transient, message: message)
        case 404, 410: return .init(kind: .providerFailed, message: message)
        default: return .init(kind: FalModels.isContentRejection(reason) ? .rejectedContent : .invalidInput, message: message)
        }
    }
}
