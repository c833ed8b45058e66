import Foundation
import VidflowCore

/// The pure half of the Veo adapter: the per-model table, the `predictLongRunning` body, the
/// operation → unified status mapping and the reading of Google's error envelope.
enum GoogleVeoMapping {
    static let defaultModel = "veo-3.1-generate-preview"
    /// Gemini API model ids (providers.md §2). The Vertex GA `-001` 3.1 ids are left out: their
    /// availability on the Gemini API is unconfirmed.
    static let models = [
        "veo-3.1-generate-preview", "veo-3.1-fast-generate-preview", "veo-3.1-lite-generate-preview",
        "veo-3.0-generate-001", "veo-3.0-fast-generate-001", "veo-2.0-generate-001",
    ]
    /// Ids clients still send (early preview names and short names), mapped to the current Gemini API ids.
    static let aliases: [String: String] = [
        "veo-3-generate-preview": "veo-3.0-generate-001", "veo-3-fast-preview": "veo-3.0-fast-generate-001",
        "veo-3": "veo-3.0-generate-001", "veo-3-fast": "veo-3.0-fast-generate-001", "veo-2": "veo-2.0-generate-001",
        "veo-3.1": "veo-3.1-generate-preview", "veo-3.1-fast": "veo-3.1-fast-generate-preview",
        "veo-3.1-lite": "veo-3.1-lite-generate-preview",
    ]
    /// Ids Google shut down (the Veo 3.0 previews), with their replacements.
    static let retired: [String: [String]] = [
        "veo-3.0-generate-preview": ["veo-3.0-generate-001", "veo-3.1-generate-preview"],
        "veo-3.0-fast-generate-preview": ["veo-3.0-fast-generate-001", "veo-3.1-fast-generate-preview"],
    ]
    /// The id sent to Google for a requested model: the default when nil, an alias resolved.
    static func currentModel(_ model: String?) -> String { model.map { aliases[$0] ?? $0 } ?? defaultModel }
    /// Keys of `extra_body` that belong to `instances[0]`; every other key goes to `parameters`.
    static let instanceKeys: Set<String> = ["referenceImages", "video"]

    // MARK: Capabilities

    static func capabilities(for requested: String) -> ProviderCapabilities {
        let model = aliases[requested] ?? requested
        let listed = models.contains(model) ? [model] + models.filter { $0 != model } : models
        let veo2 = model.hasPrefix("veo-2")
        let veo31 = model.hasPrefix("veo-3.1")
        let lite = model.contains("lite")
        var sizes = ["1280x720", "720x1280"]
        var resolutions = ["720p"]
        if !veo2 {
            sizes += ["1920x1080", "1080x1920"]
            resolutions.append("1080p")
        }
        // 4k is a Veo 3.1 feature; whether the lite model has it is unconfirmed, so it is not offered.
        if veo31 && !lite {
            sizes += ["3840x2160", "2160x3840"]
            resolutions.append("4k")
        }
        var capabilities = ProviderCapabilities(
            models: listed,
            allowedSeconds: veo2 ? [5, 6, 7, 8] : [4, 6, 8], secondsRange: veo2 ? 5...8 : 4...8, defaultSeconds: 8,
            sizes: sizes, aspectRatios: ["16:9", "9:16"], resolutions: resolutions, imageInput: true,
            // lastFrame is documented for Veo 3.1 on the Gemini API; lite is unconfirmed and left out.
            lastFrame: veo31 && !lite,
            // Veo 3 always returns audio and the Gemini API has no switch (`generateAudio` is Vertex-only).
            audio: !veo2,
            negativePrompt: true,
            // `seed`: the docs say Veo 3 has it, python-genai refuses it in Gemini mode; we follow the SDK
            // and do not send it (it can still be passed through `extra_body`).
            seed: false, fps: false, extraBody: true,
            // `sampleCount`: the Gemini API docs allow 1 for Veo 3.x and up to 2 for Veo 2 (Vertex allows 4).
            maxOutputs: veo2 ? 2 : 1,
            // `referenceImages` (≤3 ASSET images) is a Veo 3.1 feature; on lite it is unconfirmed, so not offered.
            maxReferenceImages: veo31 && !lite ? 3 : 0,
            // Extension (`instances[0].video.uri` of an earlier Veo output) is a Veo 3.1 feature; Vertex lists
            // lite among the models that extend, so all three 3.1 models offer it. It needs 720p.
            remix: veo31, modelAliases: aliases, retiredModels: retired)
        // The Gemini API refuses `enhancePrompt` (python-genai: "not supported in Gemini API"); Vertex AI takes it.
        capabilities.refusedExtraBodyKeys = ["enhance_prompt", "enhancePrompt"]
        return capabilities
    }

    // MARK: Request

    /// `aspectRatio` and `resolution` for a request: an exact size wins, then the request's own values.
    static func shape(of request: VideoRequest, model: String) -> (aspectRatio: String?, resolution: String?) {
        var aspect = request.aspectRatio
        var resolution = request.resolution.map { $0.lowercased() == "2160p" ? "4k" : $0.lowercased() }
        if let size = request.size, let parsed = VideoRequest.parseSize(size) {
            aspect = parsed.width >= parsed.height ? "16:9" : "9:16"
            switch min(parsed.width, parsed.height) {
            case ..<900: resolution = "720p"
            case ..<1500: resolution = "1080p"
            default: resolution = "4k"
            }
        }
        // Veo 2 is 720p only and takes no `resolution` parameter.
        if model.hasPrefix("veo-2") { resolution = nil }
        return (aspect, resolution)
    }

    /// The `predictLongRunning` body, images inline; used by `submit` and `wireRequest` alike (the
    /// recorded copy has its base64 redacted by the caller). `extending` is the `video.uri` of the earlier
    /// operation named by `remixOf`, which `submit` reads first; without it (`wireRequest`, which cannot
    /// call out) the body names the operation in its place.
    static func body(for request: VideoRequest, provider: String, extending videoURI: String? = nil) throws(ProviderError) -> JSONValue {
        var (instance, parameters) = try parts(of: request, provider: provider)
        if let earlier = request.remixOf, instance["video"] == nil {
            instance["video"] = ["uri": .string(videoURI ?? (isVideoURI(earlier) ? earlier : "<video of \(earlier)>"))]
        }
        var body: [String: JSONValue] = ["instances": [.object(instance)]]
        if !parameters.isEmpty { body["parameters"] = .object(parameters) }
        return .object(body)
    }

    /// `instances[0]` and `parameters` of a `predictLongRunning` body as the Gemini API and Vertex AI both
    /// read them, without the video to extend (whose shape differs): prompt, inline first/last frame and
    /// reference images, `sampleCount`, `durationSeconds`, `aspectRatio`, `resolution`, `negativePrompt`,
    /// then `extra_body` (`referenceImages`/`video` into the instance, the rest into `parameters`).
    static func parts(of request: VideoRequest, provider: String) throws(ProviderError)
        -> (instance: [String: JSONValue], parameters: [String: JSONValue]) {
        let model = currentModel(request.model)
        try checkCombinations(request, model: model, provider: provider)
        var instance: [String: JSONValue] = ["prompt": .string(request.prompt)]
        if let path = request.image { instance["image"] = try inlineImage(path, provider: provider, field: "image") }
        if let path = request.lastFrame {
            instance["lastFrame"] = try inlineImage(path, provider: provider, field: "last_frame")
        }
        if let paths = request.referenceImages, !paths.isEmpty {
            instance["referenceImages"] = try referenceImages(.array(paths.map { .string($0) }), provider: provider)
        }
        var parameters: [String: JSONValue] = [:]
        parameters["sampleCount"] = request.numOutputs.map { .int($0) }
        if let seconds = request.seconds { parameters["durationSeconds"] = .int(Int(seconds.rounded())) }
        let shape = shape(of: request, model: model)
        parameters["aspectRatio"] = shape.aspectRatio.map { .string($0) }
        parameters["resolution"] = shape.resolution.map { .string($0) }
        parameters["negativePrompt"] = request.negativePrompt.map { .string($0) }
        for (key, value) in request.extraBody ?? [:] {
            if key == "referenceImages" {
                let extra = try referenceImages(value, provider: provider)
                instance[key] = .array((instance[key]?.arrayValue ?? []) + (extra.arrayValue ?? [extra]))
            } else if instanceKeys.contains(key) {
                instance[key] = value
            } else {
                parameters[key] = value
            }
        }
        return (instance, parameters)
    }

    /// What the Gemini API refuses to combine, refused before anything is paid for: reference images with a
    /// first/last frame or an extended video, and an extension at more than 720p.
    static func checkCombinations(_ request: VideoRequest, model: String, provider: String) throws(ProviderError) {
        func refuse(_ message: String) -> ProviderError {
            ProviderError(provider: provider, operation: "validate request", kind: .invalidInput, message: message,
                          jobCertainlyNotCreated: true)
        }
        if let references = request.referenceImages, !references.isEmpty {
            if request.image != nil || request.lastFrame != nil {
                throw refuse("images: \(model) cannot combine reference images with image/last_frame; send one or the other")
            }
            if request.remixOf != nil {
                throw refuse("images: \(model) cannot combine reference images with extending a video (remix_of)")
            }
            if request.prompt.isEmpty { throw refuse("prompt: \(model) needs a prompt with reference images") }
        }
        if request.remixOf != nil, let resolution = shape(of: request, model: model).resolution, resolution != "720p" {
            throw refuse("resolution: extending a video (remix_of) needs 720p at \(model), got \(resolution)")
        }
    }

    /// `remix_of` given as the file URI itself rather than the operation that made it.
    static func isVideoURI(_ text: String) -> Bool { text.hasPrefix("https://") || text.hasPrefix("http://") }

    /// The `video.uri` of every sample of a finished operation, in order.
    static func videoURIs(of operation: JSONValue) -> [String] {
        let samples = operation["response"]?["generateVideoResponse"]?["generatedSamples"]?.arrayValue ?? []
        return samples.compactMap { $0["video"]?["uri"]?.stringValue }
    }

    /// `{bytesBase64Encoded, mimeType}`: the Gemini API takes inline bytes only (`gcsUri` is Vertex-only).
    static func inlineImage(_ path: String, provider: String, field: String) throws(ProviderError) -> JSONValue {
        let media = try MediaInput.read(path, provider: provider, field: field)
        return ["bytesBase64Encoded": .string(media.base64), "mimeType": .string(media.mimeType)]
    }

    /// `referenceImages` from `extra_body`: a local path becomes an inline `ASSET` reference; an object is
    /// passed on with its `referenceType` upper-cased, as the SDK sends it (providers.md §12).
    static func referenceImages(_ value: JSONValue, provider: String) throws(ProviderError) -> JSONValue {
        guard let items = value.arrayValue else { return value }
        var references: [JSONValue] = []
        for item in items {
            if let path = item.stringValue {
                references.append(["image": try inlineImage(path, provider: provider, field: "referenceImages"),
                                   "referenceType": "ASSET"])
            } else if var object = item.objectValue {
                if let type = object["referenceType"]?.stringValue { object["referenceType"] = .string(type.uppercased()) }
                references.append(.object(object))
            } else {
                references.append(item)
            }
        }
        return .array(references)
    }

    // MARK: Status

    /// The unified status of a long-running operation. `download` holds the headers the file URI needs.
    static func status(of operation: JSONValue, download headers: [String: String], pollAfterMs: Int?) -> VideoJobStatus {
        guard operation["done"]?.boolValue == true else {
            // Gemini operations do not tell queued from running.
            return VideoJobStatus(state: .running, pollAfterMs: pollAfterMs)
        }
        if let failed = failure(of: operation) { return failed }
        let uris = videoURIs(of: operation)
        if let uri = uris.first {
            // With `sampleCount` > 1 every sample is a result; the first is `result`, the rest follow it.
            var status = VideoJobStatus(state: .succeeded, progress: 100, result: ResultLocation(url: uri, headers: headers))
            status.additionalResults = uris.dropFirst().map { ResultLocation(url: $0, headers: headers) }
            return status
        }
        return filtered(operation["response"]?["generateVideoResponse"])
            ?? VideoJobStatus(state: .failed, errorMessage: "the operation finished without a video", errorKind: .providerFailed)
    }

    /// A finished operation's `error {code, message, status}` as a failed status (an RAI refusal in its
    /// words is `rejected_content`); nil when there is none.
    static func failure(of operation: JSONValue) -> VideoJobStatus? {
        guard let error = operation["error"], error.objectValue != nil else { return nil }
        let message = error["message"]?.stringValue ?? "the operation failed"
        let code = error["status"]?.stringValue ?? error["code"]?.interpolated
        let text = code.map { "\(message) (\($0))" } ?? message
        return VideoJobStatus(state: .failed, errorMessage: text,
                              errorKind: isContentRejection(message) ? .rejectedContent : .providerFailed)
    }

    /// A response whose videos the safety filter removed (`raiMediaFilteredCount` / `raiMediaFilteredReasons`,
    /// in the Gemini API's `generateVideoResponse` and Vertex's `response` alike) as a `rejected_content`
    /// failure, never retried; nil when nothing was filtered.
    static func filtered(_ response: JSONValue?) -> VideoJobStatus? {
        let count = response?["raiMediaFilteredCount"]?.intValue ?? 0
        let reasons = (response?["raiMediaFilteredReasons"]?.arrayValue ?? []).compactMap(\.stringValue)
        guard count > 0 || !reasons.isEmpty else { return nil }
        let why = reasons.isEmpty ? "\(count) video(s) removed by the safety filter" : reasons.joined(separator: "; ")
        return VideoJobStatus(state: .failed, errorMessage: "blocked by Google's safety filter: " + why, errorKind: .rejectedContent)
    }

    /// Veo states RAI refusals in prose ("…violate Google's Responsible AI practices…"); there is no code.
    static func isContentRejection(_ message: String) -> Bool {
        let lowered = message.lowercased()
        return ["responsible ai", "safety", "sensitive", "rai filter", "usage guidelines"].contains { lowered.contains($0) }
    }

    // MARK: Errors

    /// Reads Google's `{error: {code, message, status, details[]}}` envelope: an invalid key (HTTP 400
    /// `API_KEY_INVALID`) and a key's exhausted daily quota bench the key; RAI refusals are
    /// `rejected_content`; the rest is read from the status code, with Google's `status` in the message.
    static func verdict(_ response: ProviderHTTPResponse) -> ProviderHTTPClient.Verdict? {
        guard let error = response.jsonIfAny?["error"], error.objectValue != nil else { return nil }
        let message = error["message"]?.stringValue ?? "(no message)"
        let status = error["status"]?.stringValue ?? ""
        let details = error["details"]?.arrayValue ?? []
        let reasons = details.compactMap { $0["reason"]?.stringValue }
        let quotaIDs = details.flatMap { $0["violations"]?.arrayValue ?? [] }.compactMap { $0["quotaId"]?.stringValue }
        let text = "HTTP \(response.status): \(message)" + (status.isEmpty ? "" : " (\(status))")
        if reasons.contains(where: { $0.hasPrefix("API_KEY_") }) || status == "UNAUTHENTICATED" || status == "PERMISSION_DENIED" {
            return .init(kind: .auth, message: text, benchKey: true)
        }
        if response.status == 429 || status == "RESOURCE_EXHAUSTED" {
            // A per-day quota will not come back within a retry; another key (another project) may work.
            return .init(kind: .rateLimited, message: text, benchKey: quotaIDs.contains { $0.contains("PerDay") })
        }
        if response.status == 400, isContentRejection(message) {
            return .init(kind: .rejectedContent, message: text)
        }
        switch response.status {
        case 401, 403: return .init(kind: .auth, message: text, benchKey: true)
        case 408, 409, 500...599: return .init(kind: .transient, message: text)
        case 404, 410: return .init(kind: .providerFailed, message: text)
        default: return .init(kind: .invalidInput, message: text)
        }
    }
}
