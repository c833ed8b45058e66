import Foundation
import VidflowCore

/// The pure half of the yunwu adapter: the model families of its "video unified format", the
/// `/v1/video/create` body, and the status mapping (providers.md §9; third-party description only).
enum YunwuMapping {
    static let defaultModel = "veo3.1-fast"
    static let veoModels = [
        "veo3.1-fast", "veo3.1", "veo3.1-pro", "veo3.1-components",
        "veo3", "veo3-fast", "veo3-frames", "veo3-fast-frames", "veo3-pro", "veo3-pro-frames",
        "veo2", "veo2-fast", "veo2-fast-frames", "veo2-fast-components", "veo2-pro", "veo2-pro-components",
    ]
    static let models = veoModels + ["jimeng-video-3.0", "sora-2", "sora-2-pro", "grok-video-3"]

    /// Images the `-components` models take (素材合成, "at most 3 images" per the relay's notes); the first
    /// frame, when given, counts among them.
    static let maxComponentImages = 3

    /// The model families, which decide the field names.
    enum Family { case veo, jimeng, sora, grok, other }

    static func family(of model: String) -> Family {
        if model.hasPrefix("veo") { return .veo }
        if model.hasPrefix("jimeng") { return .jimeng }
        if model.hasPrefix("sora") { return .sora }
        if model.hasPrefix("grok") { return .grok }
        return .other
    }

    // MARK: Capabilities

    /// What each family accepts per the relay's notes. The relay hosts more models than listed, so
    /// other ids are accepted too (`anyModel`) and described with the common fields only.
    static func capabilities(for model: String) -> ProviderCapabilities {
        let listed = models.contains(model) ? [model] + models.filter { $0 != model } : models
        switch family(of: model) {
        case .veo:
            // Plain veo2/veo2-fast/veo3/veo3-fast/veo3-pro are text-only; `-frames`, `-components` and
            // 3.1 take images. Only veo2-fast-frames documents two images (first + last frame).
            let images = model.hasPrefix("veo3.1") || model.contains("frames") || model.contains("components")
            return ProviderCapabilities(
                models: listed, allowedSeconds: [8], secondsRange: 8...8, defaultSeconds: 8,
                aspectRatios: model.hasPrefix("veo3") ? ["16:9", "9:16"] : [], imageInput: images,
                lastFrame: model == "veo2-fast-frames", audio: model.hasPrefix("veo3"), extraBody: true, anyModel: true,
                // Only the `-components` models take several images; the others take a first (and last) frame.
                maxReferenceImages: model.contains("components") ? maxComponentImages : 0)
        case .jimeng:
            // jimeng and grok take no duration field; 5 s and 6 s are their usual clip lengths (unconfirmed).
            return ProviderCapabilities(
                models: listed, allowedSeconds: [5], secondsRange: 5...5, defaultSeconds: 5, sizes: ["1280x720", "720x1280"],
                aspectRatios: ["16:9", "9:16", "4:3", "3:4", "1:1", "21:9"], resolutions: ["720p", "1080p"],
                imageInput: true, extraBody: true, anyModel: true)
        case .sora:
            // `watermark` (default true at the relay) is a Sora-family field.
            return ProviderCapabilities(
                models: listed, allowedSeconds: [10, 15], secondsRange: 10...15, defaultSeconds: 10,
                aspectRatios: ["16:9", "9:16"], resolutions: ["720p", "1080p"], imageInput: true, audio: true,
                extraBody: true, anyModel: true, watermark: true)
        case .grok:
            return ProviderCapabilities(
                models: listed, allowedSeconds: [6], secondsRange: 6...6, defaultSeconds: 6,
                aspectRatios: ["2:3", "3:2", "1:1"], resolutions: ["720p"], imageInput: true, extraBody: true, anyModel: true)
        case .other:
            return ProviderCapabilities(models: listed, secondsRange: 1...60, defaultSeconds: 5,
                                        aspectRatios: ["16:9", "9:16", "1:1"], imageInput: true, extraBody: true, anyModel: true)
        }
    }

    // MARK: Request

    /// The `/v1/video/create` body. Images go in `images[]` as data URIs: the notes only show https
    /// URLs and data-URI support is unconfirmed, but vidflow holds local files and the relays built on
    /// new-api accept them. Reference images follow the first (and last) frame in `images[]`, for the
    /// `-components` models (at most 3 images in all). `watermark` is sent for the Sora family. `extra_body`
    /// (`enhance_prompt`, `enable_upsample`, `private`, …) is merged at the top level.
    static func body(for request: VideoRequest, provider: String) throws(ProviderError) -> JSONValue {
        let model = request.model ?? defaultModel
        var body: [String: JSONValue] = ["model": .string(model), "prompt": .string(request.prompt)]
        var images: [JSONValue] = []
        if let path = request.image {
            images.append(.string(try MediaInput.read(path, provider: provider, field: "image").dataURI))
        }
        if let path = request.lastFrame {
            images.append(.string(try MediaInput.read(path, provider: provider, field: "last_frame").dataURI))
        }
        for (index, path) in (request.referenceImages ?? []).enumerated() {
            images.append(.string(try MediaInput.read(path, provider: provider, field: "images[\(index)]").dataURI))
        }
        if let references = request.referenceImages, !references.isEmpty {
            guard model.contains("components"), images.count <= maxComponentImages else {
                throw ProviderError(provider: provider, operation: "validate request", kind: .invalidInput,
                                    message: model.contains("components")
                                        ? "images: \(model) takes at most \(maxComponentImages) images, the first frame included"
                                        : "images: \(model) takes no reference images (the -components models do)",
                                    jobCertainlyNotCreated: true)
            }
        }
        if !images.isEmpty { body["images"] = .array(images) }
        let aspect = request.size.flatMap(VideoRequest.parseSize).map { $0.width >= $0.height ? "16:9" : "9:16" }
            ?? request.aspectRatio
        switch family(of: model) {
        case .veo, .other:
            body["aspect_ratio"] = aspect.map { .string($0) }
        case .jimeng:
            body["aspect_ratio"] = aspect.map { .string($0) }
            if let size = request.size {
                body["size"] = .string(size)
            } else if request.resolution?.lowercased() == "1080p" {
                body["size"] = "1080P"
            }
        case .sora:
            body["orientation"] = aspect.map { .string($0 == "9:16" ? "portrait" : "landscape") }
            // `small` is "generally 720p"; `large` is the higher tier.
            if let resolution = request.resolution?.lowercased() { body["size"] = .string(resolution == "720p" ? "small" : "large") }
            if let seconds = request.seconds { body["duration"] = .int(Int(seconds.rounded())) }
            if let watermark = request.watermark { body["watermark"] = .bool(watermark) }
        case .grok:
            body["aspect_ratio"] = aspect.map { .string($0) }
            if request.resolution != nil { body["size"] = "720P" }
        }
        for (key, value) in request.extraBody ?? [:] { body[key] = value }
        return .object(body)
    }

    // MARK: Status

    /// The unified status of a `/v1/video/query` answer. `upsampling` says the job was created with
    /// `enable_upsample`, in which case `video_generation_completed` is not the end (unconfirmed).
    static func status(of task: JSONValue, upsampling: Bool, pollAfterMs: Int?) -> VideoJobStatus {
        let state = task["status"]?.stringValue?.lowercased() ?? ""
        let url = task["video_url"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let progress = self.progress(task["progress"])
        switch state {
        case "pending", "queued", "submitted", "not_start":
            return VideoJobStatus(state: .queued, progress: progress, pollAfterMs: pollAfterMs)
        case "success", "completed", "succeeded", "video_upsampling_completed":
            guard let url else {
                return VideoJobStatus(state: .failed, errorMessage: "the task finished without a video_url", errorKind: .providerFailed)
            }
            return VideoJobStatus(state: .succeeded, progress: 100, result: ResultLocation(url: url))
        case "video_generation_completed" where !upsampling && url != nil:
            return VideoJobStatus(state: .succeeded, progress: 100, result: ResultLocation(url: url ?? ""))
        case "failed", "error", "failure", "video_generation_failed", "video_upsampling_failed":
            let reason = self.reason(task) ?? "the task failed (\(state))"
            return VideoJobStatus(state: .failed, errorMessage: reason,
                                  errorKind: isContentRejection(reason) ? .rejectedContent : .providerFailed)
        default:
            // processing, image_downloading, video_generating, video_upsampling, … and anything new.
            return VideoJobStatus(state: .running, progress: progress, pollAfterMs: pollAfterMs)
        }
    }

    /// The failure reason; the notes document none, so the fields new-api relays use are read in turn.
    static func reason(_ task: JSONValue) -> String? {
        let candidates: [JSONValue?] = [task["fail_reason"], task["error"]?["message"], task["error"], task["message"], task["detail"]]
        for case let value? in candidates {
            if let text = value.stringValue, !text.isEmpty { return text }
        }
        return nil
    }

    /// `progress` as 0–100 from `42`, `0.42` or `"42%"` (an undocumented field some models send).
    static func progress(_ value: JSONValue?) -> Int? {
        if let text = value?.stringValue, let number = Double(text.replacingOccurrences(of: "%", with: "")) {
            return min(100, max(0, Int(number)))
        }
        guard let number = value?.doubleValue else { return nil }
        return min(100, max(0, Int(number <= 1 && number > 0 && value?.intValue == nil ? number * 100 : number)))
    }

    /// Relays pass the upstream moderation text on; there is no code to read.
    static func isContentRejection(_ message: String) -> Bool {
        let lowered = message.lowercased()
        return ["safety", "sensitive", "moderation", "violat", "prohibited", "responsible ai", "content policy", "审核", "违规", "敏感"]
            .contains { lowered.contains($0) }
    }

    /// new-api's quota refusal (any HTTP status) benches the key; the rest falls back to the status code.
    static func verdict(_ response: ProviderHTTPResponse) -> ProviderHTTPClient.Verdict? {
        let json = response.jsonIfAny
        let code = json?["error"]?["code"]?.stringValue ?? json?["code"]?.stringValue ?? ""
        if ["insufficient_user_quota", "insufficient_quota", "quota_exceeded"].contains(code) {
            return .init(kind: .auth, message: "HTTP \(response.status): " + ProviderHTTPClient.errorMessage(response), benchKey: true)
        }
        return nil
    }
}
