import Foundation
import VidflowProviders
import VidflowCore

/// Reads the unified `/v1/video/generate` body and OpenAI's `/v1/videos` create fields into a `VideoSpec`.
enum VideoRequestParser {
    static let unifiedFields: Set<String> = [
        "prompt", "provider", "model", "seconds", "duration", "aspect_ratio", "resolution", "size", "image_url",
        "image_base64", "last_frame_url", "negative_prompt", "seed", "generate_audio", "enhance_prompt", "extra_body",
        "callback_url", "idempotency_key", "style", "fps", "num_outputs", "image_file",
    ]

    /// Defaults from `/v1/config` used when the request leaves them out.
    struct Defaults: Sendable {
        var provider: String
        var model: String?
        var aspectRatio: String? = nil
        /// `default_size`: applied where the model takes it and the request gives no shape.
        var size: String? = nil
        /// Longest wait between polls of the provider, in seconds.
        var pollInterval: Double? = nil
        /// The registered providers, to tell which one a model id belongs to.
        var providers: ProviderRegistry? = nil
        /// Which addresses `image_url` and `last_frame_url` may name (literal addresses are refused here).
        var urlPolicy: OutboundURLPolicy = .publicOnly
        /// Where `image_base64` is saved and `image_file` resolved (the user's storage); nil: `image_base64`
        /// becomes a data URI and `image_file` is refused.
        var imageInput: VideoImageInput? = nil
    }

    static func unified(_ body: JSONObjectReader, defaults: Defaults) throws -> VideoSpec {
        try body.rejectUnknown(unifiedFields)
        let prompt = try body.string("prompt") ?? ""
        let imageURL = try body.string("image_url")
        let imageBase64 = try body.string("image_base64")
        let imageFile = try body.string("image_file")
        let images = [("image_url", imageURL), ("image_base64", imageBase64), ("image_file", imageFile)].filter { $0.1 != nil }
        if images.count > 1 {
            throw APIError.badRequest("give one of 'image_url', 'image_base64' or 'image_file', not several", field: images[1].0)
        }
        guard !prompt.isEmpty || !images.isEmpty else {
            throw APIError.badRequest("required: a prompt (or an image)", field: "prompt")
        }
        var spec = try base(prompt: prompt, model: try body.string("model"), provider: try body.string("provider"),
                            defaults: defaults)
        spec.seconds = try seconds(body, "seconds") ?? seconds(body, "duration")
        spec.size = try size(body.string("size"), field: "size")
        spec.aspectRatio = try body.string("aspect_ratio")
        spec.resolution = try body.string("resolution")
        spec.negativePrompt = try body.string("negative_prompt")
        spec.seed = try body.int("seed")
        spec.generateAudio = try body.bool("generate_audio")
        spec.image = try imageURL.map { try checkedURL($0, field: "image_url", policy: defaults.urlPolicy) }
        spec.lastFrame = try body.string("last_frame_url").map {
            try checkedURL($0, field: "last_frame_url", policy: defaults.urlPolicy)
        }
        spec.extraBody = try body.object("extra_body")
        spec.enhancePrompt = try body.bool("enhance_prompt")
        spec.style = try body.string("style")
        spec.fps = try body.int("fps")
        if let fps = spec.fps, !(1...120).contains(fps) { throw APIError.badRequest("must be from 1 to 120", field: "fps") }
        spec.numOutputs = try body.int("num_outputs")
        if let count = spec.numOutputs, !(1...4).contains(count) {
            throw APIError.badRequest("must be from 1 to 4", field: "num_outputs")
        }
        // Last, so a request refused for another field leaves no saved image behind.
        if let imageFile {
            guard let input = defaults.imageInput else { throw APIError.badRequest("not supported here", field: "image_file") }
            spec.image = try input.resolved(file: imageFile)
        } else if let imageBase64 {
            spec.image = try defaults.imageInput.map { try $0.saved(base64: imageBase64) } ?? dataURI(imageBase64)
        }
        return spec
    }

    /// The provider and model for a request: an explicit provider wins; else the model names one; else the default.
    static func base(prompt: String, model: String?, provider: String?, defaults: Defaults) throws -> VideoSpec {
        if let provider, provider.isEmpty { throw APIError.badRequest("must not be empty", field: "provider") }
        if let model, model.isEmpty { throw APIError.badRequest("must not be empty", field: "model") }
        var spec: VideoSpec
        if let model {
            let mapped = VideoSpec.provider(forModel: model, known: defaults.providers)
            spec = VideoSpec(prompt: prompt, provider: provider ?? mapped.provider)
            spec.model = provider == nil ? mapped.model : model
        } else {
            spec = VideoSpec(prompt: prompt, provider: provider ?? defaults.provider)
            if provider == nil || provider == defaults.provider {
                spec.model = defaults.model.flatMap { $0 == spec.provider ? nil : $0 }
            }
        }
        spec.pollInterval = defaults.pollInterval
        spec.defaultAspectRatio = defaults.aspectRatio
        return spec
    }

    static func seconds(_ body: JSONObjectReader, _ key: String) throws -> Double? {
        guard let value = body.value(key) else { return nil }
        let number = value.doubleValue ?? value.stringValue.flatMap(Double.init)
        guard let number, number > 0, number <= 120 else {
            throw APIError.badRequest("must be a number of seconds from 0 to 120", field: body.field(key))
        }
        return number
    }

    /// `WxH` with both sides from 16 to 4096.
    static func size(_ text: String?, field: String) throws -> String? {
        guard let text else { return nil }
        let parts = text.lowercased().split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts.allSatisfy({ (16...4096).contains($0) }) else {
            throw APIError.badRequest("must be WIDTHxHEIGHT, e.g. 1280x720", field: field)
        }
        return "\(parts[0])x\(parts[1])"
    }

    /// An http(s) URL or an image data URI; with `policy`, a literal private address is refused (400).
    static func checkedURL(_ text: String, field: String, policy: OutboundURLPolicy? = nil) throws -> String {
        if text.hasPrefix("data:image/") { return text }
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
            throw APIError.badRequest("must be an http(s) URL or an image data URI", field: field)
        }
        try policy?.checkRequestURL(text, field: field)
        return text
    }

    static func dataURI(_ base64: String) throws -> String {
        if base64.hasPrefix("data:image/") { return base64 }
        guard let data = Data(base64Encoded: base64, options: .ignoreUnknownCharacters), !data.isEmpty else {
            throw APIError.badRequest("not valid base64", field: "image_base64")
        }
        let type = data.starts(with: [0x89, 0x50, 0x4E, 0x47]) ? "image/png"
            : data.starts(with: [0x52, 0x49, 0x46, 0x46]) ? "image/webp" : "image/jpeg"
        return "data:\(type);base64,\(base64)"
    }
}
