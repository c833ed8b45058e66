import Foundation
import VidflowCore

/// fal.ai endpoint ids vidflow knows, what each accepts, and how a unified request becomes a queue
/// submit (endpoint id + model input JSON). Pure, so `submit` and `wireRequest` share it.
enum FalModels {
    static let pikaTextToVideo = "fal-ai/pika/v2.2/text-to-video"
    static let pikaImageToVideo = "fal-ai/pika/v2.2/image-to-video"
    /// Pika Scenes: a video composed from reference images (`images[{image_url}]`) and a prompt.
    static let pikaScenes = "fal-ai/pika/v2.2/pikascenes"
    /// The default endpoint; a request carrying an image is sent to `pikaImageToVideo` instead, one carrying
    /// reference images to `pikaScenes`.
    static let defaultModel = pikaTextToVideo

    static let pikaRatios = ["16:9", "9:16", "1:1", "4:5", "5:4", "3:2", "2:3"]
    /// Reference images Pika Scenes takes. Unconfirmed: fal's page names no maximum; Pika's own Scenes API
    /// (ComfyUI's PikaScenes node) takes up to five "ingredients", so five is assumed.
    static let pikaMaxReferences = 5

    /// Pika v2.2 text-to-video. It takes an image too, because vidflow routes image requests for the
    /// default endpoint to Pika's image-to-video endpoint (where the aspect ratio follows the image), and
    /// reference images, routed to Pika Scenes.
    static let pikaTextCapabilities = ProviderCapabilities(
        models: [pikaTextToVideo], allowedSeconds: [5, 10], secondsRange: 5...10, defaultSeconds: 5,
        aspectRatios: pikaRatios, resolutions: ["720p", "1080p"], imageInput: true, negativePrompt: true, seed: true,
        extraBody: true, anyModel: true, maxReferenceImages: pikaMaxReferences)

    /// Pika v2.2 Scenes: reference images (required) and a prompt; no first frame.
    static let pikaScenesCapabilities = ProviderCapabilities(
        models: [pikaScenes], allowedSeconds: [5, 10], secondsRange: 5...10, defaultSeconds: 5,
        aspectRatios: pikaRatios, resolutions: ["720p", "1080p"], imageInput: false, negativePrompt: true, seed: true,
        extraBody: true, textToVideo: false, anyModel: true, maxReferenceImages: pikaMaxReferences)

    /// Pika v2.2 image-to-video: needs an image; the aspect ratio follows it.
    static let pikaImageCapabilities = ProviderCapabilities(
        models: [pikaImageToVideo], allowedSeconds: [5, 10], secondsRange: 5...10, defaultSeconds: 5,
        aspectRatios: [], resolutions: ["720p", "1080p"], imageInput: true, negativePrompt: true, seed: true,
        extraBody: true, textToVideo: false, anyModel: true)

    /// Any other fal endpoint: described permissively; fields are sent under their common fal names
    /// and `extra_body` can add or override anything the endpoint wants.
    static func genericCapabilities(_ model: String) -> ProviderCapabilities {
        ProviderCapabilities(
            models: [model], secondsRange: 1...60, defaultSeconds: 5,
            aspectRatios: ["16:9", "9:16", "1:1", "4:3", "3:4", "4:5", "5:4", "3:2", "2:3", "21:9", "9:21"],
            resolutions: ["360p", "480p", "540p", "580p", "720p", "768p", "1080p"], imageInput: true, lastFrame: true,
            audio: true, negativePrompt: true, seed: true, fps: true, extraBody: true, anyModel: true)
    }

    static var known: [String] { [pikaTextToVideo, pikaImageToVideo, pikaScenes] }

    static func capabilities(for model: String) -> ProviderCapabilities {
        switch model {
        case pikaTextToVideo: return pikaTextCapabilities
        case pikaImageToVideo: return pikaImageCapabilities
        case pikaScenes: return pikaScenesCapabilities
        default: return genericCapabilities(model)
        }
    }

    /// The endpoint a request goes to: its model, the default when none, and, when the Pika text-to-video
    /// endpoint is asked to animate an image, Pika's image-to-video endpoint (reference images: Pika Scenes).
    static func endpoint(for request: VideoRequest) -> String {
        let model = request.model ?? defaultModel
        if model == pikaTextToVideo && request.image != nil { return pikaImageToVideo }
        if model == pikaTextToVideo && !(request.referenceImages ?? []).isEmpty { return pikaScenes }
        return model
    }

    /// The submit for `request`: endpoint id and model input. Images are sent as data URIs
    /// (fal accepts them wherever a file URL is expected).
    static func submission(for request: VideoRequest, provider: String) throws(ProviderError)
        -> (endpoint: String, input: JSONValue) {
        let endpoint = endpoint(for: request)
        let isPika = [pikaTextToVideo, pikaImageToVideo, pikaScenes].contains(endpoint)
        let references = request.referenceImages ?? []
        if !references.isEmpty && (endpoint != pikaScenes || request.image != nil) {
            // Only Pika Scenes takes reference images, and it has no first frame.
            throw ProviderError(provider: provider, operation: "build request", kind: .invalidInput,
                                message: "images (reference images) go to \(pikaScenes) only, without image",
                                jobCertainlyNotCreated: true)
        }
        if endpoint == pikaScenes && references.isEmpty {
            throw ProviderError(provider: provider, operation: "build request", kind: .invalidInput,
                                message: "\(pikaScenes) needs reference images (images)", jobCertainlyNotCreated: true)
        }
        var input: [String: JSONValue] = ["prompt": .string(request.prompt)]
        input["negative_prompt"] = request.negativePrompt.map { .string($0) }
        input["seed"] = request.seed.map { .int($0) }
        // Pika's `duration` is an integer (5 or 10); most fal video endpoints take whole seconds too.
        input["duration"] = request.seconds.map { .int(Int($0.rounded())) }
        input["resolution"] = request.resolution.map { .string($0) }
        if endpoint != pikaImageToVideo {
            input["aspect_ratio"] = request.aspectRatio.map { .string($0) }
        }
        if let path = request.image {
            input["image_url"] = .string(try MediaInput.read(path, provider: provider, field: "image").dataURI)
        }
        if !references.isEmpty {
            var images: [JSONValue] = []
            for (index, path) in references.enumerated() {
                let media = try MediaInput.read(path, provider: provider, field: "images[\(index)]")
                images.append(["image_url": .string(media.dataURI)])
            }
            input["images"] = .array(images)
        }
        if !isPika {
            if let path = request.lastFrame {
                input["end_image_url"] = .string(try MediaInput.read(path, provider: provider, field: "last_frame").dataURI)
            }
            input["fps"] = request.fps.map { .int($0) }
            input["generate_audio"] = request.generateAudio.map { .bool($0) }
        }
        for (key, value) in request.extraBody ?? [:] { input[key] = value }
        return (endpoint, .object(input))
    }

    /// The video URL in a model output: `{video: {url}}` (Pika and most video endpoints), or a
    /// `videos` list, or a bare `video` / `url` string.
    static func videoURL(in output: JSONValue) -> String? {
        if let url = output["video"]?["url"]?.stringValue { return url }
        if let url = output["video"]?.stringValue { return url }
        if let url = output["videos"]?.arrayValue?.first.flatMap({ $0["url"]?.stringValue ?? $0.stringValue }) { return url }
        return output["url"]?.stringValue
    }

    /// The app part of an endpoint id, as the queue's status/result/cancel paths use it:
    /// `owner/alias`, or `namespace/owner/alias` for the `workflows` and `comfy` namespaces (fal-js `parseEndpointId`).
    static func appID(of endpoint: String) -> String {
        let parts = endpoint.split(separator: "/").map(String.init)
        let take = ["workflows", "comfy"].contains(parts.first ?? "") ? 3 : 2
        return parts.prefix(take).joined(separator: "/")
    }

    /// Whether a fal error (type or text) says the content was refused.
    static func isContentRejection(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return ["content_policy", "content policy", "nsfw", "safety", "moderation"].contains { lowered.contains($0) }
    }

    /// The reason in a fal error body: `detail` as text, or the `msg`/`type` of its first entry
    /// (validation and content errors come as `{detail: [{loc, msg, type}]}`).
    static func reason(in body: JSONValue?) -> String? {
        guard let body else { return nil }
        if let text = body["detail"]?.stringValue { return text }
        if let first = body["detail"]?.arrayValue?.first {
            let message = first["msg"]?.stringValue ?? first.canonicalJSON
            return first["type"]?.stringValue.map { "\(message) (\($0))" } ?? message
        }
        return body["error"]?.stringValue ?? body["message"]?.stringValue
    }
}
