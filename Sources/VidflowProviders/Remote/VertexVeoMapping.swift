import Foundation
import VidflowCore

/// The pure half of the Veo-on-Vertex-AI adapter: models and capabilities, the `predictLongRunning` body
/// and the reading of `fetchPredictOperation`. What Vertex shares with the Gemini API (the instance,
/// the shape parameters, the error envelope, RAI filtering) comes from `GoogleVeoMapping`.
enum VertexVeoMapping {
    /// The Gemini API's models plus the Veo 3.1 GA ids, which Vertex AI serves.
    static let models = GoogleVeoMapping.models + ["veo-3.1-generate-001", "veo-3.1-fast-generate-001"]
    /// `extra_body` keys written the video-task API's way, renamed to Vertex's parameters.
    static let snakeCaseParameters = [
        "enhance_prompt": "enhancePrompt", "generate_audio": "generateAudio", "person_generation": "personGeneration",
        "storage_uri": "storageUri", "compression_quality": "compressionQuality", "resize_mode": "resizeMode",
    ]

    // MARK: Capabilities

    /// Google's per-model capabilities, with what Vertex adds: `seed`, up to four samples per job
    /// (`sampleCount` 1–4), and the GA 3.1 ids.
    static func capabilities(for requested: String) -> ProviderCapabilities {
        var capabilities = GoogleVeoMapping.capabilities(for: requested)
        let model = GoogleVeoMapping.aliases[requested] ?? requested
        capabilities.models = models.contains(model) ? [model] + models.filter { $0 != model } : models
        capabilities.seed = true
        capabilities.maxOutputs = 4
        capabilities.refusedExtraBodyKeys = []   // Vertex takes `enhancePrompt` (sent as `enhance_prompt` too)
        return capabilities
    }

    // MARK: Request

    /// The `predictLongRunning` body. `video` is the earlier output to extend (`remix_of`), as
    /// `{gcsUri|bytesBase64Encoded, mimeType}`; without it (`wireRequest`) the body names the operation.
    /// `generateAudio` is sent for Veo 3 (Vertex requires it there; true unless the request says false),
    /// `seed` when given, and `storageUri` from the settings unless `extra_body` names one.
    static func body(for request: VideoRequest, provider: String, storageURI: String?,
                     extending video: JSONValue? = nil) throws(ProviderError) -> JSONValue {
        var (instance, parameters) = try GoogleVeoMapping.parts(of: request, provider: provider)
        let model = GoogleVeoMapping.currentModel(request.model)
        for (snake, camel) in snakeCaseParameters {
            if let value = parameters.removeValue(forKey: snake), parameters[camel] == nil { parameters[camel] = value }
        }
        if let earlier = request.remixOf, instance["video"] == nil {
            instance["video"] = video ?? (earlier.hasPrefix("gs://")
                ? ["gcsUri": .string(earlier), "mimeType": "video/mp4"] : ["gcsUri": .string("<video of \(earlier)>")])
        }
        if let seed = request.seed, parameters["seed"] == nil { parameters["seed"] = .int(seed) }
        if !model.hasPrefix("veo-2"), parameters["generateAudio"] == nil {
            parameters["generateAudio"] = .bool(request.generateAudio ?? true)
        }
        if let storageURI, !storageURI.isEmpty, parameters["storageUri"] == nil { parameters["storageUri"] = .string(storageURI) }
        var body: [String: JSONValue] = ["instances": [.object(instance)]]
        if !parameters.isEmpty { body["parameters"] = .object(parameters) }
        return .object(body)
    }

    // MARK: Operations

    /// `projects/{p}/locations/{l}/publishers/google/models/{m}` of an operation name
    /// (`…/models/{m}/operations/{id}`), which `fetchPredictOperation` is called on; nil for another shape.
    static func modelPath(ofOperation name: String) -> String? {
        let trimmed = name.hasPrefix("/") ? String(name.dropFirst()) : name
        guard trimmed.hasPrefix("projects/"), let range = trimmed.range(of: "/operations/"),
              trimmed[..<range.lowerBound].contains("/models/") else { return nil }
        return String(trimmed[..<range.lowerBound])
    }

    /// One video of a finished operation.
    enum Video: Sendable, Equatable {
        /// In Cloud Storage (`storageUri` was given).
        case gcs(uri: String)
        /// Inline, base64 (no `storageUri`).
        case inline(base64: String)
    }

    /// Where an operation is: still running, failed (with the status to report), or done with its videos.
    enum Outcome: Sendable {
        case running
        case failed(VideoJobStatus)
        case videos([Video])
    }

    /// Reads a `fetchPredictOperation` answer: `done`, `error`, `response.videos[]`, `raiMediaFiltered*`.
    static func outcome(of operation: JSONValue) -> Outcome {
        guard operation["done"]?.boolValue == true else { return .running }
        if let failed = GoogleVeoMapping.failure(of: operation) { return .failed(failed) }
        let response = operation["response"]
        let videos: [Video] = (response?["videos"]?.arrayValue ?? []).compactMap { video in
            if let uri = video["gcsUri"]?.stringValue, !uri.isEmpty { return .gcs(uri: uri) }
            if let bytes = video["bytesBase64Encoded"]?.stringValue, !bytes.isEmpty { return .inline(base64: bytes) }
            return nil
        }
        if !videos.isEmpty { return .videos(videos) }
        if let refused = GoogleVeoMapping.filtered(response) { return .failed(refused) }
        return .failed(VideoJobStatus(state: .failed, errorMessage: "the operation finished without a video",
                                      errorKind: .providerFailed))
    }

    /// The Cloud Storage JSON API media URL of `gs://bucket/object`: `{base}/storage/v1/b/{bucket}/o/{object}?alt=media`,
    /// the object name percent-encoded whole (its slashes too). Nil for a URI that is not `gs://bucket/object`.
    static func mediaURL(ofGCS uri: String, storageBaseURL: String) -> String? {
        guard uri.hasPrefix("gs://") else { return nil }
        let rest = uri.dropFirst("gs://".count)
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        let bucket = String(rest[..<slash])
        let object = String(rest[rest.index(after: slash)...])
        guard !bucket.isEmpty, !object.isEmpty else { return nil }
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let base = storageBaseURL.hasSuffix("/") ? String(storageBaseURL.dropLast()) : storageBaseURL
        return base + "/storage/v1/b/\(bucket.addingPercentEncoding(withAllowedCharacters: unreserved) ?? bucket)/o/"
            + (object.addingPercentEncoding(withAllowedCharacters: unreserved) ?? object) + "?alt=media"
    }
}
