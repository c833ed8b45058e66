import Foundation
import VidflowCore

/// The OpenAI Videos API (Sora 2) shape: `POST /videos` (multipart, as the official SDKs send it),
/// `GET /videos/{id}`, `GET /videos/{id}/content`, `DELETE /videos/{id}`.
///
/// OpenAI scheduled its own endpoint's shutdown for 2026-09-24; the adapter stays for the
/// OpenAI-compatible relays and Azure OpenAI that keep serving this shape. Point `base_url` at them
/// (`VIDFLOW_OPENAI_BASE_URL` or `OPENAI_BASE_URL`); Azure's `api-key` header is used when
/// `options["auth_header"]` is `api-key`.
public final class OpenAIProvider: VideoProvider {
    public static let defaultBaseURL = "https://api.openai.com/v1"
    static let models = ["sora-2", "sora-2-pro", "sora-2-2025-10-06", "sora-2-pro-2025-10-06", "sora-2-2025-12-08"]

    public let name: String
    let http: ProviderHTTPClient
    /// How long a lost create answer may be matched against the job list (seconds).
    let reconcileWindow: TimeInterval = 3600

    public init(settings: ProviderSettings, name: String = "openai") {
        self.name = name
        let header = settings.options["auth_header"] == "api-key" ? "api-key" : "Authorization"
        let http = ProviderHTTPClient(provider: name, settings: settings, baseURL: settings.baseURL ?? Self.defaultBaseURL) { key in
            [(header, header == "api-key" ? key : "Bearer \(key)")]
        }
        self.http = http
    }

    public var capabilities: ProviderCapabilities { capabilities(for: "sora-2") }

    public func capabilities(for model: String) -> ProviderCapabilities {
        let pro = model.hasPrefix("sora-2-pro")
        // [3P, unconfirmed] plain sora-2 accepts only the 720p sizes; the larger ones are pro-only.
        let sizes = pro ? ["720x1280", "1280x720", "1024x1792", "1792x1024"] : ["720x1280", "1280x720"]
        return ProviderCapabilities(
            models: Self.models.contains(model) ? [model] + Self.models.filter { $0 != model } : Self.models,
            allowedSeconds: [4, 8, 12], defaultSeconds: 4, sizes: sizes, aspectRatios: ["16:9", "9:16"],
            resolutions: pro ? ["720p", "1024p"] : ["720p"], imageInput: true, extraBody: true, maxPromptLength: 32_000,
            remix: true)
    }

    public var keyPool: APIKeyPool? { http.keys }

    public var features: ProviderFeatures {
        ProviderFeatures(cancel: true, reconcile: true, authenticatedDownload: true)
    }

    // MARK: Requests

    /// The form fields `POST /videos` carries (the reference image is added as a file part).
    func fields(for request: VideoRequest) -> [(String, String)] {
        var fields: [(String, String)] = [("prompt", request.prompt), ("model", request.model ?? "sora-2")]
        if let seconds = request.seconds { fields.append(("seconds", String(Int(seconds)))) }
        if let size = Self.size(for: request) { fields.append(("size", size)) }
        for (key, value) in (request.extraBody ?? [:]).sorted(by: { $0.key < $1.key }) {
            fields.append((key, value.stringValue ?? value.canonicalJSON))
        }
        return fields
    }

    /// `WxH` from the exact size, else from the aspect ratio (and, for pro at 1024p, the larger pair).
    static func size(for request: VideoRequest) -> String? {
        if let size = request.size { return size }
        let high = request.resolution == "1024p"
        switch request.aspectRatio {
        case "16:9"?: return high ? "1792x1024" : "1280x720"
        case "9:16"?: return high ? "1024x1792" : "720x1280"
        default: return high ? "1792x1024" : nil
        }
    }

    public func wireRequest(for request: VideoRequest, idempotencyKey: String) throws -> JSONValue {
        if let earlier = request.remixOf { return ["remix_of": .string(earlier), "prompt": .string(request.prompt)] }
        var object: [String: JSONValue] = [:]
        for (key, value) in fields(for: request) { object[key] = .string(value) }
        if let image = request.image { object["input_reference"] = .string("<file \((image as NSString).lastPathComponent)>") }
        return .object(object)
    }

    public func submit(_ request: VideoRequest, idempotencyKey: String) async throws -> String {
        if let earlier = request.remixOf { return try await remix(earlier, prompt: request.prompt, idempotencyKey: idempotencyKey) }
        var form = MultipartBody()
        for (key, value) in fields(for: request) { form.add(key, value) }
        if let path = request.image {
            let image = try MediaInput.read(path, provider: name, field: "image")
            form.addFile("input_reference", filename: image.filename, contentType: image.mimeType, data: image.data)
        }
        let video = try await http.json(ProviderHTTPRequest("POST", "/videos", headers: [("Idempotency-Key", idempotencyKey)],
                                                            body: .multipart(form), operation: "submit", isCreate: true))
        let id = try http.createdJobID(video["id"], in: video, operation: "submit")
        return id
    }

    /// `POST /videos/{id}/remix` with `{prompt}`: a new video from a finished one, with the new prompt.
    private func remix(_ earlier: String, prompt: String, idempotencyKey: String) async throws -> String {
        let video = try await http.json(ProviderHTTPRequest("POST", "/videos/\(earlier)/remix", headers: [("Idempotency-Key", idempotencyKey)],
                                                            body: .json(["prompt": .string(prompt)]), operation: "remix of \(earlier)",
                                                            isCreate: true))
        let id = try http.createdJobID(video["id"], in: video, operation: "remix of \(earlier)")
        return id
    }

    public func status(of jobID: String) async throws -> VideoJobStatus {
        let response = try await http.send(ProviderHTTPRequest("GET", "/videos/\(jobID)", operation: "status of video \(jobID)"))
        guard let video = response.jsonIfAny else {
            throw ProviderError(provider: name, operation: "status of video \(jobID)", kind: .transient,
                                message: "answer is not JSON: \(response.text.prefix(200))")
        }
        let hint = response.headers["openai-poll-after-ms"].flatMap(Int.init)
        return Self.status(of: video, pollAfterMs: hint, location: location(jobID, video))
    }

    /// The unified status of a Video object.
    static func status(of video: JSONValue, pollAfterMs: Int?, location: ResultLocation) -> VideoJobStatus {
        let progress = video["progress"]?.intValue
        switch video["status"]?.stringValue {
        case "queued"?:
            return VideoJobStatus(state: .queued, progress: progress, pollAfterMs: pollAfterMs)
        case "completed"?:
            return VideoJobStatus(state: .succeeded, progress: 100, result: location)
        case "failed"?:
            let code = video["error"]?["code"]?.stringValue ?? ""
            let message = video["error"]?["message"]?.stringValue ?? "the video failed"
            let moderated = ["moderation", "content_policy", "safety"].contains { code.contains($0) }
            return VideoJobStatus(state: .failed, errorMessage: code.isEmpty ? message : "\(message) (\(code))",
                                  errorKind: moderated ? .rejectedContent : .providerFailed)
        default:
            return VideoJobStatus(state: .running, progress: progress, pollAfterMs: pollAfterMs)
        }
    }

    private func location(_ jobID: String, _ video: JSONValue) -> ResultLocation {
        let url = http.url(for: ProviderHTTPRequest("GET", "/videos/\(jobID)/content", query: [("variant", "video")],
                                                    operation: "download"))
        let expires = video["expires_at"]?.doubleValue.map { Date(timeIntervalSince1970: $0) }
        let headers = http.authorizationHeaders().merging(["Accept": "application/binary"]) { key, _ in key }
        return ResultLocation(url: url, headers: headers, expiresAt: expires)
    }

    public func resultLocation(of jobID: String) async throws -> ResultLocation {
        let video = try await http.json(ProviderHTTPRequest("GET", "/videos/\(jobID)", operation: "status of video \(jobID)"))
        return location(jobID, video)
    }

    /// OpenAI has no cancelled state: `DELETE /videos/{id}` removes the job (whether that stops billing
    /// for one in progress is unconfirmed).
    public func cancel(_ jobID: String) async throws {
        _ = try await http.send(ProviderHTTPRequest("DELETE", "/videos/\(jobID)", operation: "cancel video \(jobID)"))
    }

    /// OpenAI keeps no client reference on videos, so a lost create answer is matched in `GET /videos`:
    /// the one video of the last hour with the same prompt, model, seconds and size. Several matches
    /// (identical requests in flight) are not guessed between: the lookup fails instead.
    public func lookup(idempotencyKey: String, request: VideoRequest) async throws -> String? {
        let list = try await http.json(ProviderHTTPRequest("GET", "/videos", query: [("limit", "100"), ("order", "desc")],
                                                           operation: "look up video for \(idempotencyKey)"))
        let wanted = Dictionary(fields(for: request), uniquingKeysWith: { $1 })
        let cutoff = Date().timeIntervalSince1970 - reconcileWindow
        let matches = (list["data"]?.arrayValue ?? []).filter { video in
            if let earlier = request.remixOf {
                return (video["created_at"]?.doubleValue ?? 0) >= cutoff && video["prompt"]?.stringValue == request.prompt
                    && video["remixed_from_video_id"]?.stringValue == earlier
            }
            return (video["created_at"]?.doubleValue ?? 0) >= cutoff
                && video["prompt"]?.stringValue == wanted["prompt"]
                && video["model"]?.stringValue == wanted["model"]
                && (wanted["seconds"] == nil || video["seconds"]?.interpolated == wanted["seconds"])
                && (wanted["size"] == nil || video["size"]?.stringValue == wanted["size"])
        }
        guard matches.count <= 1 else {
            throw ProviderError(provider: name, operation: "look up video for \(idempotencyKey)", kind: .providerFailed,
                                message: "\(matches.count) recent videos match the request; not guessing which one is ours")
        }
        return matches.first?["id"]?.stringValue
    }

    public func testConnection() async throws {
        _ = try await http.json(ProviderHTTPRequest("GET", "/videos", query: [("limit", "1")], operation: "test connection"))
    }
}
