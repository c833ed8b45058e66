import Foundation
import VidflowCore

/// Google Veo through Vertex AI: `POST …/projects/{p}/locations/{l}/publishers/google/models/{m}:predictLongRunning`
/// creates a long-running operation, `POST …/models/{m}:fetchPredictOperation` polls it, and the finished
/// `response.videos[]` are inline bytes (written to a file under the adapter's directory, not downloaded
/// again) or `gs://` objects (`storageUri` given), downloaded through the Cloud Storage JSON API with the
/// same bearer token.
///
/// Auth is OAuth 2.0: a service-account key file exchanged for access tokens (`GoogleServiceAccountToken`)
/// or a given access token (`VertexCredentials`). The job id is the operation name, kept verbatim. Models
/// and capabilities are Veo's (`GoogleVeoMapping`), plus `seed`, `generateAudio`, `enhancePrompt` and up to
/// four samples, which Vertex accepts. Not supported: cancelling (no cancel for Veo operations), finding
/// a lost create again, callbacks.
///
/// ```swift
/// let vertex = VertexVeoProvider(settings: ProviderSettings(options: ["credentials_file": "/etc/vidflow/sa.json",
///                                                                     "location": "us-central1"]))
/// let id = try await vertex.submit(VideoRequest(prompt: "a fox in snow", seconds: 8), idempotencyKey: "vf-run-gen")
/// // "projects/my-project/locations/us-central1/publishers/google/models/veo-3.1-generate-preview/operations/…"
/// ```
public final class VertexVeoProvider: VideoProvider {
    /// Keys of `ProviderSettings.options` this adapter reads (from `VIDFLOW_VERTEX_*` or the stored config).
    public enum Option {
        public static let project = "project"
        public static let location = "location"
        public static let credentialsFile = "credentials_file"
        /// `gs://bucket/prefix/` for outputs (`parameters.storageUri`); without it videos come back inline.
        public static let storageURI = "storage_uri"
        /// The Cloud Storage JSON API's origin (tests point it at a fake).
        public static let storageBaseURL = "storage_base_url"
    }

    public static let defaultLocation = "us-central1"
    public static let defaultStorageBaseURL = "https://storage.googleapis.com"

    /// The regional endpoint of `location` (`global` has none of its own).
    public static func defaultBaseURL(location: String) -> String {
        location == "global" ? "https://aiplatform.googleapis.com/v1" : "https://\(location)-aiplatform.googleapis.com/v1"
    }

    public let name: String
    let http: ProviderHTTPClient
    let credentials: VertexCredentials
    let project: String?
    let location: String
    let storageURI: String?
    let storageBaseURL: String
    /// Where inline videos are written (`<data>/providers/vertex`).
    let resultsDirectory: String
    let pollAfterMs: Int

    /// `pollAfterMs` overrides the 10 s hint (tests use a few milliseconds); `now` is the token cache's clock.
    public init(settings: ProviderSettings, name: String = "vertex", pollAfterMs: Int? = nil,
                now: @escaping @Sendable () -> Date = Date.init) {
        self.name = name
        let credentials = VertexCredentials(settings: settings, provider: name, now: now)
        self.credentials = credentials
        func option(_ key: String) -> String? { settings.options[key].flatMap { $0.isEmpty ? nil : $0 } }
        project = option(Option.project) ?? credentials.projectID
        let location = option(Option.location) ?? Self.defaultLocation
        self.location = location
        storageURI = option(Option.storageURI)
        storageBaseURL = option(Option.storageBaseURL) ?? Self.defaultStorageBaseURL
        resultsDirectory = settings.directory ?? NSTemporaryDirectory() + "vidflow-\(name)"
        // Every request carries its own bearer token (`send`): the client's one "key" only stands for that.
        var http = ProviderHTTPClient(provider: name, baseURL: settings.baseURL ?? Self.defaultBaseURL(location: location),
                                      keys: APIKeyPool([Self.bearerSlot]),
                                      limiter: settings.requestsPerMinute.map { RequestRateLimiter(perMinute: $0) }) { _ in [] }
        http.timeout = .seconds(settings.requestTimeout)
        http.classify = { GoogleVeoMapping.verdict($0) }
        self.http = http
        self.pollAfterMs = pollAfterMs ?? settings.options["poll_after_ms"].flatMap(Int.init) ?? 10_000
    }

    /// The placeholder key of `http`'s pool; the real token goes in each request's headers.
    static let bearerSlot = "vertex-bearer-slot"

    public var capabilities: ProviderCapabilities { capabilities(for: GoogleVeoMapping.defaultModel) }

    public func capabilities(for model: String) -> ProviderCapabilities { VertexVeoMapping.capabilities(for: model) }

    public var features: ProviderFeatures { ProviderFeatures(authenticatedDownload: true) }

    public var keyPool: APIKeyPool? { credentials.given }

    // MARK: Jobs

    public func wireRequest(for request: VideoRequest, idempotencyKey: String) throws -> JSONValue {
        try VertexVeoMapping.body(for: request, provider: name, storageURI: storageURI)
    }

    public func submit(_ request: VideoRequest, idempotencyKey: String) async throws -> String {
        let model = GoogleVeoMapping.currentModel(request.model)
        var extending: JSONValue?
        if let earlier = request.remixOf, !earlier.hasPrefix("gs://") {
            try GoogleVeoMapping.checkCombinations(request, model: model, provider: name)
            extending = try await video(ofEarlier: earlier)
        }
        let body = try VertexVeoMapping.body(for: request, provider: name, storageURI: storageURI, extending: extending)
        let path = try modelsPath(operation: "submit") + "/\(model):predictLongRunning"
        let operation = try await send(ProviderHTTPRequest("POST", path, body: .json(body), operation: "submit", isCreate: true))
        return try http.createdJobID(operation["name"], in: operation, operation: "submit")
    }

    public func status(of jobID: String) async throws -> VideoJobStatus {
        switch VertexVeoMapping.outcome(of: try await operation(jobID)) {
        case .running:
            // Vertex operations do not tell queued from running.
            return VideoJobStatus(state: .running, pollAfterMs: pollAfterMs)
        case .failed(let status):
            return status
        case .videos(let videos):
            // With `sampleCount` > 1 every sample is a result; the first is `result`, the rest follow it.
            var results: [ResultLocation] = []
            for (index, video) in videos.enumerated() {
                results.append(try await location(of: video, index: index, jobID: jobID))
            }
            var status = VideoJobStatus(state: .succeeded, progress: 100, result: results.first)
            status.additionalResults = Array(results.dropFirst())
            return status
        }
    }

    public func resultLocation(of jobID: String) async throws -> ResultLocation {
        try await succeededResult(of: jobID)
    }

    /// Veo operations on Vertex cannot be cancelled, so this always throws.
    public func cancel(_ jobID: String) async throws {
        throw ProviderError(provider: name, operation: "cancel \(jobID)", kind: .invalidInput,
                            message: "Vertex AI cannot cancel a Veo operation; it runs to the end")
    }

    /// Lists one operation of the project and location: proves the token, the project and the location, free.
    public func testConnection() async throws {
        let path = "/projects/\(try requireProject(operation: "test connection"))/locations/\(location)/operations"
        _ = try await send(ProviderHTTPRequest("GET", path, query: [("pageSize", "1")], operation: "test connection"))
    }

    // MARK: Helpers

    /// Sends `request` with a bearer token. A 401 on a service-account token is tried once more with a fresh one.
    func send(_ request: ProviderHTTPRequest) async throws(ProviderError) -> JSONValue {
        var retried = false
        while true {
            let bearer = try await credentials.bearer(operation: request.operation)
            var authorized = request
            authorized.headers.append(("Authorization", "Bearer " + bearer.token))
            do {
                return try await http.json(authorized)
            } catch where error.kind == .auth && error.httpStatus == 401 {
                await credentials.refused(bearer.token, fromServiceAccount: bearer.fromServiceAccount)
                guard bearer.fromServiceAccount, !retried else { throw error }
                retried = true
            }
        }
    }

    /// `/projects/{project}/locations/{location}/publishers/google/models`.
    private func modelsPath(operation: String) throws(ProviderError) -> String {
        "/projects/\(try requireProject(operation: operation))/locations/\(location)/publishers/google/models"
    }

    /// The project, or the error to show: an unusable key file first (its `project_id` is what is missing).
    private func requireProject(operation: String) throws(ProviderError) -> String {
        guard let project else {
            if case .failure(var unusable)? = credentials.serviceAccount {
                unusable.operation = operation
                throw unusable
            }
            throw ProviderError(provider: name, operation: operation, kind: .auth,
                                message: "no Google Cloud project: set VIDFLOW_VERTEX_PROJECT or use a key file with project_id",
                                jobCertainlyNotCreated: true)
        }
        return project
    }

    /// `fetchPredictOperation` for the operation named `jobID`.
    private func operation(_ jobID: String) async throws(ProviderError) -> JSONValue {
        let operation = "status of \(jobID)"
        guard let modelPath = VertexVeoMapping.modelPath(ofOperation: jobID) else {
            throw ProviderError(provider: name, operation: operation, kind: .invalidInput,
                                message: "'\(jobID)' is not a Vertex operation name (projects/…/models/…/operations/…)")
        }
        return try await send(ProviderHTTPRequest("POST", "/\(modelPath):fetchPredictOperation",
                                                  body: .json(["operationName": .string(jobID)]), operation: operation))
    }

    /// A video as a download location: a `gs://` object through the Cloud Storage JSON API with a bearer
    /// token; inline bytes written once to `<resultsDirectory>/<operation id>-<index>.mp4`.
    private func location(of video: VertexVeoMapping.Video, index: Int, jobID: String) async throws -> ResultLocation {
        switch video {
        case .gcs(let uri):
            guard let url = VertexVeoMapping.mediaURL(ofGCS: uri, storageBaseURL: storageBaseURL) else {
                throw ProviderError(provider: name, operation: "result of \(jobID)", kind: .providerFailed,
                                    message: "the operation named an unreadable Cloud Storage URI: \(uri)")
            }
            let bearer = try await credentials.bearer(operation: "result of \(jobID)")
            return ResultLocation(url: url, headers: ["Authorization": "Bearer " + bearer.token])
        case .inline(let base64):
            return ResultLocation(url: try VertexInlineVideos.write(base64, jobID: jobID, index: index,
                                                                    directory: resultsDirectory, provider: name),
                                  isAdapterFile: true)
        }
    }

    /// The earlier output to extend for `remix_of` (an operation name): its first video, as Vertex takes it back.
    private func video(ofEarlier earlier: String) async throws -> JSONValue {
        let outcome: VertexVeoMapping.Outcome
        do {
            outcome = VertexVeoMapping.outcome(of: try await operation(earlier))
        } catch {
            // Only the earlier operation was read: no job was created.
            var refused = error
            refused.jobCertainlyNotCreated = true
            throw refused
        }
        switch outcome {
        case .videos(let videos) where !videos.isEmpty:
            switch videos[0] {
            case .gcs(let uri): return ["gcsUri": .string(uri), "mimeType": "video/mp4"]
            case .inline(let base64): return ["bytesBase64Encoded": .string(base64), "mimeType": "video/mp4"]
            }
        default:
            let state = if case .running = outcome { "has not finished" } else { "finished without a video" }
            throw ProviderError(provider: name, operation: "read video of \(earlier)", kind: .invalidInput,
                                message: "remix_of: operation \(earlier) \(state); only a finished Veo video can be extended",
                                jobCertainlyNotCreated: true)
        }
    }
}
