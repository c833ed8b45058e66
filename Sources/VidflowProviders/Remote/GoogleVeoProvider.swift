import Foundation
import VidflowCore

/// Google Veo through the Gemini API (`generativelanguage.googleapis.com/v1beta`): `POST
/// /models/{model}:predictLongRunning` creates a long-running operation, `GET /v1beta/{name}` polls
/// it, and the finished `video.uri` is downloaded with the same `x-goog-api-key` header.
///
/// The job id is the operation name (`models/<model>/operations/<id>`), kept verbatim.
/// `num_outputs` is `sampleCount` (every sample comes back, the first as `result`); `images` are inline
/// `ASSET` reference images (Veo 3.1, not with a first/last frame); `remix_of` extends an earlier Veo
/// video: its operation is read for `video.uri`, sent as `instances[0].video` (720p only).
/// Not supported here: cancelling (the Gemini API has no cancel path), finding a lost create again
/// (no client reference), and callbacks (`webhookConfig` casing and signing are unconfirmed). Veo on
/// Vertex AI (OAuth, `fetchPredictOperation`, `gs://` or inline results) is the `vertex` provider
/// (`VertexVeoProvider`), which shares this adapter's mapping.
public final class GoogleVeoProvider: VideoProvider {
    public static let defaultBaseURL = "https://generativelanguage.googleapis.com/v1beta"

    public let name: String
    let http: ProviderHTTPClient
    /// The wait suggested between polls (Google's samples poll every 10 s).
    let pollAfterMs: Int?

    /// `pollAfterMs` overrides the 10 s hint (tests use a few milliseconds); `options["poll_after_ms"]` does too.
    public init(settings: ProviderSettings, name: String = "google", pollAfterMs: Int? = nil) {
        self.name = name
        var http = ProviderHTTPClient(provider: name, settings: settings, baseURL: settings.baseURL ?? Self.defaultBaseURL) { key in
            [("x-goog-api-key", key)]
        }
        http.classify = { GoogleVeoMapping.verdict($0) }
        self.http = http
        self.pollAfterMs = pollAfterMs ?? settings.options["poll_after_ms"].flatMap(Int.init) ?? 10_000
    }

    public var capabilities: ProviderCapabilities { capabilities(for: GoogleVeoMapping.defaultModel) }

    public func capabilities(for model: String) -> ProviderCapabilities { GoogleVeoMapping.capabilities(for: model) }

    public var features: ProviderFeatures { ProviderFeatures(authenticatedDownload: true) }

    public var keyPool: APIKeyPool? { http.keys }

    // MARK: Jobs

    public func wireRequest(for request: VideoRequest, idempotencyKey: String) throws -> JSONValue {
        try GoogleVeoMapping.body(for: request, provider: name)
    }

    public func submit(_ request: VideoRequest, idempotencyKey: String) async throws -> String {
        let model = GoogleVeoMapping.currentModel(request.model)
        var extending: String?
        if let earlier = request.remixOf {
            // Checked before the earlier operation is read, so a refused combination costs no call.
            try GoogleVeoMapping.checkCombinations(request, model: model, provider: name)
            extending = try await videoURI(ofEarlier: earlier)
        }
        let body = try GoogleVeoMapping.body(for: request, provider: name, extending: extending)
        let operation = try await http.json(ProviderHTTPRequest("POST", "/models/\(model):predictLongRunning",
                                                                body: .json(body), operation: "submit", isCreate: true))
        let id = try http.createdJobID(operation["name"], in: operation, operation: "submit")
        return id
    }

    public func status(of jobID: String) async throws -> VideoJobStatus {
        let fetched = try await operation(jobID)
        return GoogleVeoMapping.status(of: fetched, download: downloadHeaders(), pollAfterMs: pollAfterMs)
    }

    public func resultLocation(of jobID: String) async throws -> ResultLocation {
        try await succeededResult(of: jobID)
    }

    /// The Gemini API offers no way to cancel a video operation (python-genai has none; Vertex's
    /// `fetchPredictOperation` is not a cancel), so this always throws.
    public func cancel(_ jobID: String) async throws {
        throw ProviderError(provider: name, operation: "cancel \(jobID)", kind: .invalidInput,
                            message: "the Gemini API cannot cancel a Veo operation; it runs to the end")
    }

    /// Lists one model: authenticated, free.
    public func testConnection() async throws {
        _ = try await http.json(ProviderHTTPRequest("GET", "/models", query: [("pageSize", "1")], operation: "test connection"))
    }

    // MARK: Helpers

    /// `GET /v1beta/{name}`: the operation as JSON.
    private func operation(_ jobID: String) async throws(ProviderError) -> JSONValue {
        let path = "/" + (jobID.hasPrefix("/") ? String(jobID.dropFirst()) : jobID)
        return try await http.json(ProviderHTTPRequest("GET", path, operation: "status of \(jobID)"))
    }

    /// The `video.uri` to extend for `remix_of`: read from the earlier operation (its id is the operation
    /// name) unless the file URI itself was given. The earlier job must have finished with a video.
    private func videoURI(ofEarlier earlier: String) async throws -> String {
        if GoogleVeoMapping.isVideoURI(earlier) { return earlier }
        let fetched: JSONValue
        do {
            fetched = try await operation(earlier)
        } catch {
            // Only the earlier operation was read: no job was created.
            var refused = error
            refused.jobCertainlyNotCreated = true
            throw refused
        }
        guard let uri = GoogleVeoMapping.videoURIs(of: fetched).first else {
            let state = fetched["done"]?.boolValue == true ? "finished without a video" : "has not finished"
            throw ProviderError(provider: name, operation: "read video of \(earlier)", kind: .invalidInput,
                                message: "remix_of: operation \(earlier) \(state); only a finished Veo video can be extended",
                                jobCertainlyNotCreated: true)
        }
        return uri
    }

    /// Veo file URIs need the API key; sent as a header so it never appears in a logged URL.
    private func downloadHeaders() -> [String: String] { http.authorizationHeaders() }
}
