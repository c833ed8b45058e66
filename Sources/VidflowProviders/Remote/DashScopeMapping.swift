import Foundation
import VidflowCore

/// The pure halves of the DashScope adapter: the unified request as a Wan create call (path and
/// `{model, input, parameters}` body), a task object as a unified status, and error codes as kinds.
enum DashScopeMapping {
    static let videoGenerationPath = "/services/aigc/video-generation/video-synthesis"
    static let imageToVideoPath = "/services/aigc/image2video/video-synthesis"

    /// The create path: the 1.x SDK posts any `kf2v` model to the image2video path, the rest to video-generation.
    static func path(for model: String) -> String {
        model.contains("kf2v") ? imageToVideoPath : videoGenerationPath
    }

    /// Extra-body keys that belong in `input`; every other key goes to `parameters` (as the SDK does).
    static let inputKeys: Set<String> = ["audio_url", "template", "media", "img_url", "first_frame_url", "last_frame_url"]

    /// The create body for `request` (images inlined as data URIs).
    static func body(for request: VideoRequest, model: String, provider: String) throws(ProviderError) -> JSONValue {
        let entry = DashScopeModels.entry(for: model)
        let kind = entry?.kind ?? (model.contains("kf2v") ? .keyFrames : model.contains("i2v") ? .imageToVideo : .textToVideo)
        var input: [String: JSONValue] = [:]
        var parameters: [String: JSONValue] = [:]
        if !request.prompt.isEmpty { input["prompt"] = .string(request.prompt) }
        input["negative_prompt"] = request.negativePrompt.map { .string($0) }
        let first = try request.image.map { path throws(ProviderError) in
            try MediaInput.read(path, provider: provider, field: "image").dataURI
        }
        let last = try request.lastFrame.map { path throws(ProviderError) in
            try MediaInput.read(path, provider: provider, field: "last_frame").dataURI
        }
        let tier = request.resolution.map { $0.uppercased() }
        switch kind {
        case .textToVideo:
            parameters["size"] = size(for: request, tiers: entry?.tiers ?? ["720p"]).map { .string($0) }
        case .imageToVideo:
            input["img_url"] = first.map { .string($0) }
            parameters["resolution"] = tier.map { .string($0) }
        case .keyFrames:
            input["first_frame_url"] = first.map { .string($0) }
            input["last_frame_url"] = last.map { .string($0) }
            parameters["resolution"] = tier.map { .string($0) }
        case .textToVideo27:
            let sized = request.size.flatMap(VideoRequest.parseSize)
            parameters["resolution"] = (sized.map { min($0.width, $0.height) > 720 ? "1080P" : "720P" } ?? tier).map { .string($0) }
            let ratio = sized.flatMap { VideoRequest.nearestRatio("\($0.width):\($0.height)", in: DashScopeModels.ratios27) }
                ?? request.aspectRatio
            parameters["ratio"] = ratio.map { .string($0) }
        case .imageToVideo27:
            var media: [JSONValue] = []
            if let first { media.append(["type": "first_frame", "url": .string(first)]) }
            if let last { media.append(["type": "last_frame", "url": .string(last)]) }
            input["media"] = media.isEmpty ? nil : .array(media)
            parameters["resolution"] = tier.map { .string($0) }
        }
        // Fixed-length models take no `duration`.
        if let seconds = request.seconds, entry?.seconds != [5] {
            parameters["duration"] = .int(Int(seconds.rounded()))
        }
        parameters["seed"] = request.seed.map { .int($0) }
        parameters["watermark"] = request.watermark.map { .bool($0) }
        // Only wan2.6-i2v-flash can switch its sound off; the other 2.5+ models always add sound.
        if entry?.audioSwitch == true, let audio = request.generateAudio { parameters["audio"] = .bool(audio) }
        for (key, value) in request.extraBody ?? [:] {
            if inputKeys.contains(key) { input[key] = value } else { parameters[key] = value }
        }
        return ["model": .string(model), "input": .object(input), "parameters": .object(parameters)]
    }

    /// `W*H` for a legacy text-to-video request: the exact size, else tier + ratio from the model's table.
    static func size(for request: VideoRequest, tiers: [String]) -> String? {
        if let size = request.size, let parsed = VideoRequest.parseSize(size) { return "\(parsed.width)*\(parsed.height)" }
        guard request.resolution != nil || request.aspectRatio != nil else { return nil }
        let tier = request.resolution.map { $0.lowercased() }.flatMap { tiers.contains($0) ? $0 : nil } ?? tiers.last ?? "720p"
        let table = DashScopeModels.sizes[tier] ?? [:]
        let ratio = request.aspectRatio.flatMap { table[$0] != nil ? $0 : VideoRequest.nearestRatio($0, in: Array(table.keys)) }
        return table[ratio ?? "16:9"]
    }

    /// `GET /tasks/{id}` in unified terms.
    static func status(from task: JSONValue, pollAfterMs: Int?) -> VideoJobStatus {
        let output = task["output"]
        let cost = task["usage"].flatMap { $0.isNull ? nil : $0 }
        switch output?["task_status"]?.stringValue ?? "" {
        case "PENDING", "SUSPENDED":
            return VideoJobStatus(state: .queued, progress: 0, pollAfterMs: pollAfterMs)
        case "RUNNING":
            return VideoJobStatus(state: .running, pollAfterMs: pollAfterMs)
        case "SUCCEEDED":
            guard let url = output?["video_url"]?.stringValue, !url.isEmpty else {
                return VideoJobStatus(state: .failed, errorMessage: "task succeeded without output.video_url",
                                      errorKind: .providerFailed, cost: cost)
            }
            return VideoJobStatus(state: .succeeded, progress: 100, result: ResultLocation(url: url), cost: cost)
        case "FAILED":
            let code = output?["code"]?.stringValue
            let message = output?["message"]?.stringValue ?? "the task failed without a reason"
            return VideoJobStatus(state: .failed, errorMessage: code.map { "\(message) (code \($0))" } ?? message,
                                  errorKind: isContentSafety(code) ? .rejectedContent : .providerFailed)
        case "CANCELED":
            return VideoJobStatus(state: .cancelled, errorMessage: "the task was cancelled")
        case "UNKNOWN":
            return VideoJobStatus(state: .failed, errorMessage: "DashScope does not know the task (task ids expire after "
                                      + "24 h; or it belongs to another key or region)", errorKind: .providerFailed)
        default:
            return VideoJobStatus(state: .running, pollAfterMs: pollAfterMs)
        }
    }

    /// Moderation codes: `DataInspectionFailed`, `IPInfringementSuspect`, ...
    static func isContentSafety(_ code: String?) -> Bool {
        guard let code else { return false }
        return code.contains("DataInspection") || code.contains("IPInfringement") || code.contains("GreenNet")
    }

    /// DashScope's `{request_id, code, message}` error bodies: `Throttling*` is rate limiting, arrears and a
    /// bad key bench the key, moderation codes are `rejected_content`.
    static func verdict(_ response: ProviderHTTPResponse) -> ProviderHTTPClient.Verdict? {
        guard let code = response.jsonIfAny?["code"]?.stringValue else { return nil }
        let message = "HTTP \(response.status): " + ProviderHTTPClient.errorMessage(response)
        if code.hasPrefix("Throttling") { return .init(kind: .rateLimited, message: message) }
        if code == "Arrearage" || code == "InvalidApiKey" { return .init(kind: .auth, message: message, benchKey: true) }
        if isContentSafety(code) { return .init(kind: .rejectedContent, message: message) }
        return nil
    }
}
