import AsyncHTTPClient
import Foundation
import VidflowCore

/// The HTTP plumbing every remote adapter shares, written once: base URL, key rotation, auth headers,
/// the process-wide requests-per-minute limiter, timeouts, JSON/multipart bodies, error classification,
/// and retries that honour the provider's wait hints.
///
/// Retries: a request is tried again after 429, 408 and 5xx answers (waiting as the provider asks, or
/// 1 s doubling with jitter) and after a refused key (with the next key). A paid create is repeated
/// only when it certainly created nothing: the provider answered with an error, or the connection was
/// never made. A create whose answer was lost (timeout after sending, a broken body) is never repeated
/// here: it surfaces with `jobCertainlyNotCreated == false`, so the engine reconciles before any re-submit.
///
/// ```swift
/// let http = ProviderHTTPClient(provider: "runway", baseURL: "https://api.dev.runwayml.com",
///                               keys: APIKeyPool("key_1,key_2")) { key in [("Authorization", "Bearer \(key)")] }
/// let task = try await http.json(ProviderHTTPRequest("GET", "/v1/tasks/abc", operation: "status of task abc"))
/// ```
public struct ProviderHTTPClient: Sendable {
    /// How an adapter re-reads an error answer (e.g. Kling's `code` 1102 means an exhausted key).
    public struct Verdict: Sendable {
        public var kind: ErrorKind
        public var message: String
        /// The key is refused (auth, quota, arrears): bench it and use the next one.
        public var benchKey: Bool

        public init(kind: ErrorKind, message: String, benchKey: Bool = false) {
            self.kind = kind
            self.message = message
            self.benchKey = benchKey
        }
    }

    public let provider: String
    public let baseURL: String
    public let keys: APIKeyPool
    public let limiter: RequestRateLimiter?
    /// The auth headers for one key.
    public let authorize: @Sendable (String) throws -> [(String, String)]
    /// A provider-specific reading of a non-2xx answer; nil falls back to the status code.
    public var classify: @Sendable (ProviderHTTPResponse) -> Verdict? = { _ in nil }
    public var timeout: Duration = .seconds(60)
    /// Tries after the first, for answers worth retrying.
    public var maxRetries = 4
    /// Longer provider waits are not slept here but handed to the engine's retry policy.
    public var maxInlineWait: Duration = .seconds(30)
    public var keyBenchSeconds: TimeInterval = 300
    /// First backoff when the provider gives no hint; doubles per try, with up to 25 % jitter.
    public var backoff: Duration = .seconds(1)

    public init(provider: String, baseURL: String, keys: APIKeyPool, limiter: RequestRateLimiter? = nil,
                authorize: @escaping @Sendable (String) throws -> [(String, String)]) {
        self.provider = provider
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.keys = keys
        self.limiter = limiter
        self.authorize = authorize
    }

    /// A client configured from `settings`: its keys, requests-per-minute limit and request timeout.
    public init(provider: String, settings: ProviderSettings, baseURL: String,
                authorize: @escaping @Sendable (String) throws -> [(String, String)]) {
        self.init(provider: provider, baseURL: baseURL, keys: APIKeyPool(settings.apiKeys),
                  limiter: settings.requestsPerMinute.map { RequestRateLimiter(perMinute: $0) }, authorize: authorize)
        timeout = .seconds(settings.requestTimeout)
        SecretScrubber.register(settings.secretKeys + [settings.webhookSecret].compactMap { $0 })
    }

    /// Sends `request` and returns a 2xx answer, retrying what is safe to retry.
    public func send(_ request: ProviderHTTPRequest) async throws(ProviderError) -> ProviderHTTPResponse {
        var tries = 0
        while true {
            tries += 1
            guard let key = keys.next() else {
                throw error(request, .auth, "no API key configured", notCreated: true)
            }
            let outcome = await attempt(request, key: key)
            switch outcome {
            case .success(let response):
                return response
            case .failure(let failure):
                if failure.benchKey { keys.bench(key, for: keyBenchSeconds) }
                let another = failure.benchKey && keys.availableCount() > 0
                let retryable = failure.error.kind == .rateLimited || failure.error.kind == .transient
                let safe = !request.isCreate || failure.error.jobCertainlyNotCreated
                guard tries <= maxRetries, safe, another || retryable else { throw failure.error }
                if another {
                    ProviderHTTPMetrics.retried(provider: provider, reason: "next_key")
                    continue
                }
                let wait = failure.error.retryAfterMs.map { Duration.milliseconds($0) } ?? jittered(tries)
                guard wait <= maxInlineWait else { throw failure.error }
                ProviderHTTPMetrics.retried(provider: provider, reason: failure.error.kind.rawValue)
                do { try await Task.sleep(for: wait) } catch {
                    throw self.error(request, .cancelled, "cancelled while waiting to retry", notCreated: failure.error.jobCertainlyNotCreated)
                }
            }
        }
    }

    /// Sends `request` and parses the 2xx answer as JSON; a body that is not JSON is a `transient` error
    /// (for a create: one whose job may exist, so it is reconciled rather than repeated).
    public func json(_ request: ProviderHTTPRequest) async throws(ProviderError) -> JSONValue {
        let response = try await send(request)
        guard let value = response.jsonIfAny else {
            throw error(request, .transient, "answered HTTP \(response.status) with a body that is not JSON: "
                        + Self.excerpt(response.text), status: response.status)
        }
        return value
    }

    /// The job id in a create answer. A 2xx answer without one may still stand for a created job, so
    /// the error is `transient` and not "certainly not created": the engine reconciles before any re-submit.
    public func createdJobID(_ value: JSONValue?, in answer: JSONValue, operation: String) throws(ProviderError) -> String {
        if let id = value?.stringValue, !id.isEmpty { return id }
        throw ProviderError(provider: provider, operation: operation, kind: .transient,
                            message: "the create answer names no job id (a job may exist): " + String(answer.canonicalJSON.prefix(300)))
    }

    /// The auth headers of a usable key, for downloads that need them (OpenAI, Veo); the rotation is not moved.
    public func authorizationHeaders() -> [String: String] {
        guard let key = keys.peek(), let headers = try? authorize(key) else { return [:] }
        return headers.reduce(into: [:]) { $0[$1.0] = $1.1 }
    }

    /// The URL `request` goes to.
    public func url(for request: ProviderHTTPRequest) -> String {
        let lowered = request.path.lowercased()
        var url = lowered.hasPrefix("http://") || lowered.hasPrefix("https://") ? request.path : baseURL + request.path
        if !request.query.isEmpty {
            var components = URLComponents()
            components.queryItems = request.query.map { URLQueryItem(name: $0.0, value: $0.1) }
            let encoded = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B") ?? ""
            url += (url.contains("?") ? "&" : "?") + encoded
        }
        return url
    }

    private struct Failure: Error {
        var error: ProviderError
        var benchKey = false
    }

    private func attempt(_ request: ProviderHTTPRequest, key: String) async -> Result<ProviderHTTPResponse, Failure> {
        do {
            if let waited = try await limiter?.acquire(), waited > .zero {
                ProviderHTTPMetrics.rateLimited(provider: provider, waited: waited)
            }
        } catch {
            return .failure(Failure(error: self.error(request, .cancelled, "cancelled while rate limited", notCreated: true)))
        }
        var http = HTTPClientRequest(url: url(for: request))
        http.method = .init(rawValue: request.method)
        do {
            for (name, value) in try authorize(key) { http.headers.add(name: name, value: value) }
        } catch {
            return .failure(Failure(error: self.error(request, .auth, "cannot build credentials: \(error)", notCreated: true)))
        }
        for (name, value) in request.headers { http.headers.replaceOrAdd(name: name, value: value) }
        switch request.body {
        case .none:
            break
        case .json(let value):
            http.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
            http.body = .bytes(Data(value.canonicalJSON.utf8))
        case .multipart(let form):
            http.headers.replaceOrAdd(name: "Content-Type", value: form.contentType)
            http.body = .bytes(form.encoded)
        case .raw(let data, let type):
            http.headers.replaceOrAdd(name: "Content-Type", value: type)
            http.body = .bytes(data)
        }
        let response: ProviderHTTPResponse
        let sent = ContinuousClock.now
        do {
            let answer = try await HTTPClient.shared.execute(http, timeout: .seconds(timeout.components.seconds))
            var headers: [String: String] = [:]
            for header in answer.headers { headers[header.name.lowercased()] = header.value }
            let body = try await answer.body.collect(upTo: 32 << 20)
            response = ProviderHTTPResponse(status: Int(answer.status.code), headers: headers, body: Data(body.readableBytesView))
        } catch {
            ProviderHTTPMetrics.answered(request, provider: provider, status: nil, since: sent)
            let neverSent = Self.neverSent(error)
            let message = neverSent ? "could not connect: \(error)" : "no complete answer (the request may have arrived): \(error)"
            return .failure(Failure(error: self.error(request, Task.isCancelled ? .cancelled : .transient, message, notCreated: neverSent)))
        }
        ProviderHTTPMetrics.answered(request, provider: provider, status: response.status, since: sent)
        guard !(200..<300).contains(response.status) else { return .success(response) }
        let verdict = classify(response) ?? defaultVerdict(response)
        let hint = RetryHint.milliseconds(headers: response.headers, body: response.jsonIfAny)
        return .failure(Failure(
            error: error(request, verdict.kind, verdict.message, status: response.status, retryAfterMs: hint, notCreated: true),
            benchKey: verdict.benchKey))
    }

    private func defaultVerdict(_ response: ProviderHTTPResponse) -> Verdict {
        let message = "HTTP \(response.status): " + Self.errorMessage(response)
        switch response.status {
        case 401, 403: return Verdict(kind: .auth, message: message, benchKey: true)
        case 429: return Verdict(kind: .rateLimited, message: message)
        case 408, 409, 500...599: return Verdict(kind: .transient, message: message)
        case 404, 410: return Verdict(kind: .providerFailed, message: message)
        default: return Verdict(kind: .invalidInput, message: message)
        }
    }

    private func error(_ request: ProviderHTTPRequest, _ kind: ErrorKind, _ message: String, status: Int? = nil,
                       retryAfterMs: Int? = nil, notCreated: Bool = false) -> ProviderError {
        ProviderError(provider: provider, operation: request.operation, kind: kind, message: message,
                      retryAfterMs: retryAfterMs, httpStatus: status, jobCertainlyNotCreated: notCreated)
    }

    private func jittered(_ tries: Int) -> Duration {
        let base = backoff * (1 << min(tries - 1, 6))
        return base + base * Double.random(in: 0...0.25)
    }

    /// The provider's own words from the common error envelopes, else an excerpt of the body.
    public static func errorMessage(_ response: ProviderHTTPResponse) -> String {
        guard let json = response.jsonIfAny else { return excerpt(response.text) }
        let candidates: [JSONValue?] = [json["error"]?["message"], json["error"], json["message"], json["detail"],
                                        json["msg"], json["failure"], json["title"]]
        for case let value? in candidates {
            if let text = value.stringValue, !text.isEmpty {
                let code = json["error"]?["code"]?.interpolated ?? json["code"]?.interpolated
                return code.map { "\(text) (code \($0))" } ?? text
            }
        }
        return excerpt(response.text)
    }

    static func excerpt(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count > 300 ? String(flat.prefix(300)) + "…" : (flat.isEmpty ? "(empty body)" : flat)
    }

    /// True when the connection was never made, so the request cannot have reached the provider.
    static func neverSent(_ error: any Error) -> Bool {
        let text = String(reflecting: error)
        return ["connectTimeout", "NIOConnectionError", "connectionRefused", "ECONNREFUSED", "Connection refused",
                "dnsResolution", "unresolvedHost"].contains { text.contains($0) }
    }
}
