import Foundation
import VidflowCore

/// The pure halves of the Seedance adapter: the unified request as an Ark create body, an Ark task
/// object as a unified status, and Ark error codes as error kinds.
enum SeedanceMapping {
    /// The `POST /contents/generations/tasks` body for `request` (images inlined as data URLs). `watermark` is
    /// the configured default; the request's own `watermark` wins over it.
    static func body(for request: VideoRequest, model: String, callbackURL: String?, watermark: Bool?,
                     provider: String) throws(ProviderError) -> JSONValue {
        let references = request.referenceImages ?? []
        if !references.isEmpty && (request.image != nil || request.lastFrame != nil) {
            // Ark's reference-image mode and its first/last-frame mode exclude each other.
            throw ProviderError(provider: provider, operation: "build request", kind: .invalidInput,
                                message: "images (reference images) cannot be combined with image/last_frame at Seedance",
                                jobCertainlyNotCreated: true)
        }
        var content: [JSONValue] = []
        if !request.prompt.isEmpty {
            content.append(["type": "text", "text": .string(request.prompt)])
        }
        if let image = request.image {
            let media = try MediaInput.read(image, provider: provider, field: "image")
            content.append(["type": "image_url", "image_url": ["url": .string(media.dataURI)], "role": "first_frame"])
        }
        if let lastFrame = request.lastFrame {
            let media = try MediaInput.read(lastFrame, provider: provider, field: "last_frame")
            content.append(["type": "image_url", "image_url": ["url": .string(media.dataURI)], "role": "last_frame"])
        }
        for (index, path) in references.enumerated() {
            let media = try MediaInput.read(path, provider: provider, field: "images[\(index)]")
            content.append(["type": "image_url", "image_url": ["url": .string(media.dataURI)], "role": "reference_image"])
        }
        var body: [String: JSONValue] = ["model": .string(model), "content": .array(content)]
        var resolution = request.resolution?.lowercased()
        var ratio = request.aspectRatio
        if let size = request.size, let mapped = SeedanceModels.resolutionAndRatio(forSize: size) {
            resolution = mapped.resolution
            ratio = mapped.ratio
        }
        body["resolution"] = resolution.map { .string($0) }
        body["ratio"] = ratio.map { .string($0) }
        body["duration"] = request.seconds.map { .int(Int($0.rounded())) }
        body["seed"] = request.seed.map { .int($0) }
        let audio = SeedanceModels.entry(for: model)?.audio ?? false
        if let generateAudio = request.generateAudio, audio || model.hasPrefix("ep-") {
            body["generate_audio"] = .bool(generateAudio)
        }
        body["watermark"] = (request.watermark ?? watermark).map { .bool($0) }
        body["callback_url"] = callbackURL.map { .string($0) }
        for (key, value) in request.extraBody ?? [:] { body[key] = value }
        return .object(body)
    }

    /// A task object (`GET /contents/generations/tasks/{id}` or a callback body) in unified terms.
    static func status(from task: JSONValue, pollAfterMs: Int?) -> VideoJobStatus {
        let state = task["status"]?.stringValue ?? ""
        let cost = task["usage"].flatMap { $0.isNull ? nil : $0 }
        switch state {
        case "queued":
            return VideoJobStatus(state: .queued, progress: 0, pollAfterMs: pollAfterMs)
        case "running":
            return VideoJobStatus(state: .running, pollAfterMs: pollAfterMs)
        case "succeeded":
            guard let url = task["content"]?["video_url"]?.stringValue, !url.isEmpty else {
                return VideoJobStatus(state: .failed, errorMessage: "task succeeded without content.video_url",
                                      errorKind: .providerFailed, cost: cost)
            }
            return VideoJobStatus(state: .succeeded, progress: 100, result: ResultLocation(url: url), cost: cost)
        case "failed":
            let code = task["error"]?["code"]?.stringValue
            let message = task["error"]?["message"]?.stringValue ?? "the task failed without a reason"
            return VideoJobStatus(state: .failed, errorMessage: code.map { "\(message) (code \($0))" } ?? message,
                                  errorKind: isContentSafety(code) ? .rejectedContent : .providerFailed, cost: cost)
        case "expired":
            let limit = task["execution_expires_after"]?.intValue.map { " (execution_expires_after \($0) s)" } ?? ""
            return VideoJobStatus(state: .failed, errorMessage: "the task expired before it finished" + limit,
                                  errorKind: .providerFailed)
        case "cancelled":
            return VideoJobStatus(state: .cancelled, errorMessage: "the task was cancelled")
        default:
            // An unknown state is treated as still going; `max_wait` bounds it.
            return VideoJobStatus(state: .running, pollAfterMs: pollAfterMs)
        }
    }

    /// Ark's moderation codes: `InputTextSensitiveContentDetected`, `OutputVideoSensitiveContentDetected`,
    /// `InputImageRiskDetection`, `…PrivacyInformation`, ...
    static func isContentSafety(_ code: String?) -> Bool {
        guard let code else { return false }
        return ["SensitiveContent", "RiskDetection", "PrivacyInformation"].contains { code.contains($0) }
    }

    /// Ark's error envelope `{error: {code, message, type}}` read into an error kind: moderation codes are
    /// `rejected_content`; an overdue account or exhausted quota benches the key.
    static func verdict(_ response: ProviderHTTPResponse) -> ProviderHTTPClient.Verdict? {
        guard let code = response.jsonIfAny?["error"]?["code"]?.stringValue else { return nil }
        let message = "HTTP \(response.status): " + ProviderHTTPClient.errorMessage(response)
        if isContentSafety(code) { return .init(kind: .rejectedContent, message: message) }
        if code == "AuthenticationError" || code == "AccountOverdueError" {
            return .init(kind: .auth, message: message, benchKey: true)
        }
        if code.contains("QuotaExceeded") || code == "SetLimitExceeded" {
            return .init(kind: .rateLimited, message: message, benchKey: true)
        }
        if code.hasPrefix("RateLimitExceeded") || code == "ServerOverloaded" {
            return .init(kind: .rateLimited, message: message)
        }
        return nil
    }
}
