import Foundation
import VidflowCore
import VidflowProviders

/// Checks a `VideoSpec` against what its model accepts before the task is created, with the same
/// validation `video.generate` runs (`VideoRequest.adapted`), so a length, ratio, resolution, image or
/// prompt the model refuses is a 400 naming the allowed values instead of a task that fails later.
/// Hints the model lacks (`enhance_prompt`, `generate_audio`, `style`, `fps`) are dropped and listed in
/// the spec's warnings; `/v1/config`'s default size and ratio are applied only where the model takes them.
struct VideoSpecCheck {
    let providers: ProviderRegistry
    /// `/v1/config`'s `default_size` (`WIDTHxHEIGHT`), for requests that give no size, ratio or resolution.
    var defaultSize: String?
    /// The body key each spec field came from when it differs (`seconds` given as `duration`).
    var fieldNames: [String: String] = [:]

    /// The spec to run: model aliases resolved, defaults applied, unsupported hints dropped. Throws a 400
    /// for anything else the model would refuse. A provider vidflow does not know is left to the submission.
    func checked(_ given: VideoSpec) throws -> VideoSpec {
        guard let provider = providers.provider(given.provider) else { return given }
        var spec = given
        let capabilities = provider.capabilities(forModel: spec.model)
        dropUnsupportedHints(&spec, capabilities: capabilities, provider: provider.name)
        applyDefaultShape(&spec, capabilities: capabilities)
        let request = VideoRequest(
            model: spec.model, prompt: spec.prompt, seconds: spec.seconds, size: spec.size,
            aspectRatio: spec.aspectRatio ?? spec.defaultAspectRatio, resolution: spec.resolution,
            negativePrompt: spec.negativePrompt, seed: spec.seed, fps: spec.fps, image: spec.image, lastFrame: spec.lastFrame,
            generateAudio: spec.generateAudio, numOutputs: spec.numOutputs, style: spec.style,
            extraBody: VideoGenerateStage.extraBody(spec.extraBody, for: provider.name, providers: Set(providers.names)))
        do {
            let adapted = try request.adapted(to: capabilities, provider: provider.name, onUnsupported: .error)
            if let model = spec.model, let current = capabilities.modelAliases[model] {
                spec.model = current
                spec.warnings.append(contentsOf: adapted.warnings.filter { $0.contains("'\(current)'") })
            }
        } catch {
            throw badRequest(error)
        }
        return spec
    }

    /// `enhance_prompt`, `generate_audio: true`, `style` and `fps` where the model has none: removed, each
    /// with a warning (they are hints, not requirements).
    private func dropUnsupportedHints(_ spec: inout VideoSpec, capabilities: ProviderCapabilities, provider: String) {
        let model = spec.model ?? capabilities.models.first ?? provider
        func drop(_ field: String) { spec.warnings.append("\(field) is not supported by \(model) at \(provider); ignored") }
        if spec.enhancePrompt != nil, !capabilities.extraBody || capabilities.refusedExtraBodyKeys.contains("enhance_prompt") {
            spec.enhancePrompt = nil
            drop("enhance_prompt")
        }
        if spec.generateAudio == true, !capabilities.audio {
            spec.generateAudio = nil
            drop("generate_audio")
        }
        if let style = spec.style, !capabilities.styles.contains(style) {
            spec.style = nil
            drop("style")
        }
        if spec.fps != nil, !capabilities.fps {
            spec.fps = nil
            drop("fps")
        }
    }

    /// Without a size, ratio or resolution in the request: the configured default size where the model takes
    /// it (and it has the configured ratio), else the configured ratio where the model takes it, else nothing
    /// (the model's own default).
    private func applyDefaultShape(_ spec: inout VideoSpec, capabilities: ProviderCapabilities) {
        guard spec.size == nil, spec.aspectRatio == nil, spec.resolution == nil else {
            spec.defaultAspectRatio = nil
            return
        }
        let ratio = spec.defaultAspectRatio
        if let size = defaultSize, let parsed = VideoRequest.parseSize(size),
           capabilities.arbitrarySizes || capabilities.sizes.contains(size),
           ratio.flatMap(VideoRequest.ratioValue).map({ abs($0 - Double(parsed.width) / Double(parsed.height)) < 0.02 }) ?? true {
            spec.size = size
            spec.defaultAspectRatio = nil
        } else if let ratio, !capabilities.aspectRatios.contains(ratio) {
            spec.defaultAspectRatio = nil
        }
    }

    /// The validation error as a 400 naming the field the client sent.
    private func badRequest(_ error: any Error) -> APIError {
        var message = (error as? ProviderError)?.message ?? "\(error)"
        if let hint = message.range(of: "; set on_unsupported: nearest") { message = String(message[..<hint.lowerBound]) }
        let known = ["model", "prompt", "seconds", "size", "aspect_ratio", "resolution", "negative_prompt", "seed", "fps",
                     "image", "last_frame", "generate_audio", "extra_body", "style", "images", "num_outputs"]
        let head = String(message.prefix { $0.isLetter || $0 == "_" })
        guard known.contains(head) else { return APIError.badRequest(message, code: "unsupported_by_model") }
        var field = fieldNames[head] ?? head
        if head == "image" { field = fieldNames["image"] ?? "image_url" }
        if head == "last_frame" { field = "last_frame_url" }
        return APIError.badRequest(message, field: field, code: "unsupported_by_model")
    }
}
