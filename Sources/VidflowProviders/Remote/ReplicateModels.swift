import Foundation
import VidflowCore

/// Replicate models vidflow knows, what each accepts, and how a unified request becomes a prediction
/// create (path + body). Pure, so `submit` and `wireRequest` share it.
enum ReplicateModels {
    /// The default: ByteDance Seedance 1 Pro, an official model (text- and image-to-video, first + last frame).
    static let defaultModel = "bytedance/seedance-1-pro"

    static let seedanceRatios = ["16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "9:21"]

    /// Seedance 1 Pro / Lite on Replicate: `prompt`, `image`, `last_frame_image`, `duration` 2–12 (integer),
    /// `resolution`, `aspect_ratio` (ignored with an image), `fps` (24), `seed`, `camera_fixed`; Lite also
    /// `reference_images` (1–4 URIs; not at 1080p, not with `image`/`last_frame_image`). No `num_outputs` or
    /// `watermark` input in either schema.
    static func seedance(_ model: String, resolutions: [String], referenceImages: Int = 0) -> ProviderCapabilities {
        ProviderCapabilities(models: [model], allowedSeconds: (2...12).map(Double.init), secondsRange: 2...12,
                             defaultSeconds: 5, aspectRatios: seedanceRatios, resolutions: resolutions, imageInput: true,
                             lastFrame: true, seed: true, fps: true, extraBody: true, anyModel: true,
                             maxReferenceImages: referenceImages)
    }

    static let table: [String: ProviderCapabilities] = [
        "bytedance/seedance-1-pro": seedance("bytedance/seedance-1-pro", resolutions: ["480p", "720p", "1080p"]),
        "bytedance/seedance-1-lite": seedance("bytedance/seedance-1-lite", resolutions: ["480p", "720p", "1080p"],
                                              referenceImages: 4),
        // Seedance 1.5 Pro adds `generate_audio` and takes no `resolution`.
        "bytedance/seedance-1.5-pro": ProviderCapabilities(
            models: ["bytedance/seedance-1.5-pro"], allowedSeconds: (2...12).map(Double.init), secondsRange: 2...12,
            defaultSeconds: 5, aspectRatios: seedanceRatios, imageInput: true, lastFrame: true, audio: true, seed: true,
            fps: true, extraBody: true, anyModel: true),
    ]

    static let known = ["bytedance/seedance-1-pro", "bytedance/seedance-1-lite", "bytedance/seedance-1.5-pro"]

    /// Any other model (or version): described permissively; fields go into `input` under their common
    /// names and `extra_body` adds or overrides whatever the model's schema wants.
    static func genericCapabilities(_ model: String) -> ProviderCapabilities {
        ProviderCapabilities(
            models: [model], secondsRange: 1...60, defaultSeconds: 5,
            aspectRatios: ["16:9", "9:16", "1:1", "4:3", "3:4", "4:5", "5:4", "3:2", "2:3", "21:9", "9:21"],
            resolutions: ["360p", "480p", "540p", "720p", "768p", "1080p"], imageInput: true, lastFrame: true, audio: true,
            negativePrompt: true, seed: true, fps: true, extraBody: true, anyModel: true)
    }

    static func capabilities(for model: String) -> ProviderCapabilities {
        table[baseName(of: model)].map { $0.only(model) } ?? genericCapabilities(model)
    }

    /// `owner/name` of `owner/name:version`.
    static func baseName(of model: String) -> String {
        model.split(separator: ":", maxSplits: 1).first.map(String.init) ?? model
    }

    /// Where to POST and the body: an official model (`owner/name`) goes to
    /// `/v1/models/{owner}/{name}/predictions`; a pinned version (`owner/name:<id>` or a bare 64-hex id)
    /// to `/v1/predictions` with `version`. Images are sent as data URIs, which Replicate accepts for file inputs.
    static func creation(for request: VideoRequest, provider: String, webhook: String?) throws(ProviderError)
        -> (path: String, body: JSONValue) {
        let model = request.model ?? defaultModel
        var body: [String: JSONValue] = ["input": .object(try input(for: request, model: model, provider: provider))]
        if let webhook {
            body["webhook"] = .string(webhook)
            body["webhook_events_filter"] = ["completed"]
        }
        let path: String
        if let colon = model.firstIndex(of: ":") {
            body["version"] = .string(String(model[model.index(after: colon)...]))
            path = "/v1/predictions"
        } else if model.count == 64, model.allSatisfy(\.isHexDigit) {
            body["version"] = .string(model)
            path = "/v1/predictions"
        } else {
            let parts = model.split(separator: "/")
            guard parts.count == 2 else {
                throw ProviderError(provider: provider, operation: "build request", kind: .invalidInput,
                                    message: "model '\(model)' is neither owner/name nor owner/name:version",
                                    jobCertainlyNotCreated: true)
            }
            path = "/v1/models/\(parts[0])/\(parts[1])/predictions"
        }
        return (path, .object(body))
    }

    /// The model `input`: unified fields under Replicate's common names, then `extra_body` on top.
    static func input(for request: VideoRequest, model: String, provider: String) throws(ProviderError) -> [String: JSONValue] {
        var input: [String: JSONValue] = ["prompt": .string(request.prompt)]
        input["negative_prompt"] = request.negativePrompt.map { .string($0) }
        input["duration"] = request.seconds.map { .int(Int($0.rounded())) }
        input["aspect_ratio"] = request.aspectRatio.map { .string($0) }
        input["resolution"] = request.resolution.map { .string($0) }
        input["seed"] = request.seed.map { .int($0) }
        input["fps"] = request.fps.map { .int($0) }
        input["generate_audio"] = request.generateAudio.map { .bool($0) }
        if let path = request.image {
            input["image"] = .string(try MediaInput.read(path, provider: provider, field: "image").dataURI)
        }
        if let path = request.lastFrame {
            input["last_frame_image"] = .string(try MediaInput.read(path, provider: provider, field: "last_frame").dataURI)
        }
        if let references = request.referenceImages, !references.isEmpty {
            input["reference_images"] = .array(try referenceImages(references, request: request, model: model, provider: provider))
        }
        for (key, value) in request.extraBody ?? [:] { input[key] = value }
        return input
    }

    /// `reference_images` as data URIs, where the model's schema has that input (Seedance 1 Lite) and its
    /// description allows them: 1–4, never at 1080p nor with a first or last frame.
    static func referenceImages(_ paths: [String], request: VideoRequest, model: String,
                                provider: String) throws(ProviderError) -> [JSONValue] {
        func refuse(_ message: String) -> ProviderError {
            ProviderError(provider: provider, operation: "build request", kind: .invalidInput, message: message,
                          jobCertainlyNotCreated: true)
        }
        let limit = table[baseName(of: model)]?.maxReferenceImages ?? 0
        guard limit > 0 else { throw refuse("images: \(model) at Replicate takes no reference images") }
        guard paths.count <= limit else { throw refuse("images: \(model) takes at most \(limit) reference images") }
        if request.image != nil || request.lastFrame != nil {
            throw refuse("images (reference images) cannot be combined with image/last_frame on \(model)")
        }
        if request.resolution?.lowercased() == "1080p" {
            throw refuse("images (reference images) cannot be used at 1080p on \(model)")
        }
        var images: [JSONValue] = []
        for (index, path) in paths.enumerated() {
            images.append(.string(try MediaInput.read(path, provider: provider, field: "images[\(index)]").dataURI))
        }
        return images
    }

    /// The video URL in a prediction's `output`: a URL, the first of a list, or a `video`/`url` field.
    static func videoURL(in output: JSONValue?) -> String? { videoURLs(in: output).first }

    /// Every video URL in a prediction's `output`: one URL, each entry of a list, or a `video`/`url` field.
    static func videoURLs(in output: JSONValue?) -> [String] {
        guard let output else { return [] }
        if let url = output.stringValue { return [url] }
        if let list = output.arrayValue { return list.flatMap { videoURLs(in: $0) } }
        return [output["video"]?.stringValue ?? output["url"]?.stringValue].compactMap { $0 }
    }

    /// Whether a prediction's `error` says its input or output was refused as unsafe.
    static func isContentRejection(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return ["nsfw", "sensitive", "flagged", "content policy", "safety", "(e005)"].contains { lowered.contains($0) }
    }

    /// The last percentage in the prediction's logs (`45%|████…`), as progress.
    static func progress(inLogs logs: String?) -> Int? {
        guard let logs else { return nil }
        var last: Int?
        var digits = ""
        for character in logs {
            if character.isNumber {
                digits.append(character)
            } else {
                if character == "%", let value = Int(digits), value <= 100 { last = value }
                digits = ""
            }
        }
        return last
    }
}
