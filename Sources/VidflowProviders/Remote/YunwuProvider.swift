import Foundation
import Synchronization
import VidflowCore

/// The yunwu relay's "video unified format" (a new-api/OneAPI shape serving Veo, jimeng, Sora and
/// Grok video): `POST /v1/video/create`, `GET /v1/video/query?id=`, Bearer auth.
///
/// Ids are kept exactly as the create answer gives them (`jimeng:7391…`, `veo3.1-components:…`): the
/// query answer's own `id` may differ and is ignored. The relay has no documented cancel, client
/// reference or callback, so none is offered; results are public URLs.
public final class YunwuProvider: VideoProvider {
    public static let defaultBaseURL = "https://yunwu.ai"

    public let name: String
    let http: ProviderHTTPClient
    /// Suggested wait between polls; the relay gives no hint (5 s, like the Veo/Kling samples).
    let pollAfterMs: Int?
    /// Jobs created with `enable_upsample`, whose `video_generation_completed` is not final.
    private let upsampling = Mutex<Set<String>>([])

    /// `pollAfterMs` overrides the 5 s hint (tests use a few milliseconds); `options["poll_after_ms"]` does too.
    public init(settings: ProviderSettings, name: String = "yunwu", pollAfterMs: Int? = nil) {
        self.name = name
        var http = ProviderHTTPClient(provider: name, settings: settings, baseURL: settings.baseURL ?? Self.defaultBaseURL) { key in
            [("Authorization", "Bearer \(key)")]
        }
        http.classify = { YunwuMapping.verdict($0) }
        self.http = http
        self.pollAfterMs = pollAfterMs ?? settings.options["poll_after_ms"].flatMap(Int.init) ?? 5_000
    }

    public var capabilities: ProviderCapabilities { capabilities(for: YunwuMapping.defaultModel) }

    public func capabilities(for model: String) -> ProviderCapabilities { YunwuMapping.capabilities(for: model) }

    public var features: ProviderFeatures { ProviderFeatures() }

    public var keyPool: APIKeyPool? { http.keys }

    // MARK: Jobs

    public func wireRequest(for request: VideoRequest, idempotencyKey: String) throws -> JSONValue {
        try YunwuMapping.body(for: request, provider: name)
    }

    public func submit(_ request: VideoRequest, idempotencyKey: String) async throws -> String {
        let body = try YunwuMapping.body(for: request, provider: name)
        let task = try await http.json(ProviderHTTPRequest("POST", "/v1/video/create", body: .json(body),
                                                           operation: "submit", isCreate: true))
        let id = try http.createdJobID(task["id"]?.stringValue != nil ? task["id"] : task["task_id"], in: task, operation: "submit")
        if request.extraBody?["enable_upsample"]?.boolValue == true {
            upsampling.withLock { _ = $0.insert(id) }
        }
        return id
    }

    public func status(of jobID: String) async throws -> VideoJobStatus {
        let task = try await query(jobID)
        let upsampling = upsampling.withLock { $0.contains(jobID) }
        return YunwuMapping.status(of: task, upsampling: upsampling, pollAfterMs: pollAfterMs)
    }

    public func resultLocation(of jobID: String) async throws -> ResultLocation {
        try await succeededResult(of: jobID)
    }

    /// No cancel endpoint is known for the unified video format.
    public func cancel(_ jobID: String) async throws {
        throw ProviderError(provider: name, operation: "cancel \(jobID)", kind: .invalidInput,
                            message: "yunwu offers no way to cancel a video task; it runs to the end")
    }

    /// `GET /v1/models`: the OpenAI-compatible model list every new-api relay serves, authenticated and free.
    public func testConnection() async throws {
        _ = try await http.json(ProviderHTTPRequest("GET", "/v1/models", operation: "test connection"))
    }

    private func query(_ jobID: String) async throws(ProviderError) -> JSONValue {
        try await http.json(ProviderHTTPRequest("GET", "/v1/video/query", query: [("id", jobID)], operation: "status of \(jobID)"))
    }
}
