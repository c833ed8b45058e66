import Foundation
import VidflowCore

/// What to do with a request field the chosen model cannot honour.
public enum UnsupportedPolicy: String, Sendable, Hashable, CaseIterable {
    /// Reject the request before anything is paid for, naming the field and the allowed values.
    case error
    /// Use the nearest allowed value (or drop the field), with a warning in the run log.
    case nearest
}

extension VideoRequest {
    /// This request checked against what `capabilities` accept. With `.error`, anything the model
    /// cannot honour is an `invalid_input` error naming the field and the allowed values; with
    /// `.nearest`, lengths, sizes, ratios and resolutions snap to the nearest allowed value and
    /// unsupported optional fields are dropped, each change described in the returned warnings.
    /// An unknown model, a malformed size or an over-long prompt is an error either way.
    public func adapted(to capabilities: ProviderCapabilities, provider: String,
                        onUnsupported policy: UnsupportedPolicy = .nearest) throws(ProviderError)
        -> (request: VideoRequest, warnings: [String]) {
        func invalid(_ message: String) -> ProviderError {
            ProviderError(provider: provider, operation: "validate request", kind: .invalidInput, message: message,
                          jobCertainlyNotCreated: true)
        }
        var request = self
        var warnings: [String] = []
        if let model, let replacements = capabilities.retiredModels[model] {
            throw invalid("model: '\(model)' was retired by \(provider); use \(replacements.joined(separator: " or ")) instead")
        }
        if let model, let current = capabilities.modelAliases[model] {
            request.model = current
            warnings.append("model '\(model)' is now called '\(current)' at \(provider); using it")
        }
        if let model = request.model, !capabilities.models.contains(model), !capabilities.anyModel {
            throw invalid("model: '\(model)' is not a \(provider) model (allowed: \(capabilities.models.joined(separator: ", ")))")
        }
        if request.model == nil { request.model = capabilities.models.first }
        let modelName = request.model ?? provider
        func unsupported(_ field: String, _ value: String, allowed: [String], nearest: String?) throws(ProviderError) -> String? {
            let list = allowed.isEmpty ? "none" : allowed.joined(separator: ", ")
            if policy == .error {
                throw invalid("\(field): \(value) is not supported by \(modelName) at \(provider) (allowed: \(list)); "
                              + "set on_unsupported: nearest to use the nearest allowed value")
            }
            warnings.append(nearest.map { "\(provider) \(modelName) does not support \(field) \(value); using \($0)" }
                            ?? "\(provider) \(modelName) does not support \(field); ignoring it")
            return nearest
        }
        if let max = capabilities.maxPromptLength, prompt.count > max {
            throw invalid("prompt: \(prompt.count) characters is longer than \(modelName) accepts (at most \(max))")
        }
        // An image-to-video-only model needs its image with or without a prompt (reference images or a
        // remix stand in for it where the model takes them).
        if !capabilities.textToVideo && image == nil && (referenceImages ?? []).isEmpty && remixOf == nil {
            throw invalid("image: \(modelName) at \(provider) needs an image")
        }
        if image != nil, aspectRatio != nil, capabilities.aspectRatios.isEmpty {
            // Image-to-video models that take their shape from the image: nothing to honour or refuse.
            warnings.append("\(modelName) at \(provider) takes the aspect ratio from the image; ignoring aspect_ratio")
            request.aspectRatio = nil
        }
        if let seconds {
            guard seconds.isFinite, seconds > 0 else { throw invalid("seconds must be positive, got \(seconds)") }
            let snapped = Self.snap(seconds, capabilities: capabilities)
            if snapped != seconds {
                let allowed = capabilities.allowedSeconds.map { $0.map(Self.format) }
                    ?? ["\(Self.format(capabilities.secondsRange.lowerBound))–\(Self.format(capabilities.secondsRange.upperBound))"]
                request.seconds = try unsupported("seconds", Self.format(seconds), allowed: allowed,
                                                  nearest: Self.format(snapped)).flatMap(Double.init)
            }
        }
        if let size {
            guard let parsed = Self.parseSize(size) else { throw invalid("size must be WIDTHxHEIGHT, got '\(size)'") }
            if !capabilities.arbitrarySizes && !capabilities.sizes.contains(size) {
                request.size = try unsupported("size", size, allowed: capabilities.sizes,
                                               nearest: Self.nearestSize(parsed, in: capabilities.sizes))
            }
        }
        if let ratio = request.aspectRatio, !capabilities.aspectRatios.contains(ratio) {
            request.aspectRatio = try unsupported("aspect_ratio", ratio, allowed: capabilities.aspectRatios,
                                                  nearest: Self.nearestRatio(ratio, in: capabilities.aspectRatios))
        }
        if let resolution, !capabilities.resolutions.contains(resolution) {
            request.resolution = try unsupported("resolution", resolution, allowed: capabilities.resolutions,
                                                 nearest: Self.nearestResolution(resolution, in: capabilities.resolutions))
        }
        func drop<T>(_ path: WritableKeyPath<VideoRequest, T?>, _ field: String, supported: Bool) throws(ProviderError) {
            guard !supported, let value = request[keyPath: path] else { return }
            _ = try unsupported(field, "\(value)", allowed: [], nearest: nil)
            request[keyPath: path] = nil
        }
        try drop(\.negativePrompt, "negative_prompt", supported: capabilities.negativePrompt)
        try drop(\.seed, "seed", supported: capabilities.seed)
        try drop(\.fps, "fps", supported: capabilities.fps)
        try drop(\.image, "image", supported: capabilities.imageInput)
        try drop(\.lastFrame, "last_frame", supported: capabilities.lastFrame)
        try drop(\.generateAudio, "generate_audio", supported: capabilities.audio || generateAudio == false)
        try drop(\.extraBody, "extra_body", supported: capabilities.extraBody)
        if let extra = request.extraBody, extra.keys.contains(where: capabilities.refusedExtraBodyKeys.contains) {
            // A hint the API would refuse the whole request for: dropped under either policy.
            for key in extra.keys.sorted() where capabilities.refusedExtraBodyKeys.contains(key) {
                warnings.append("\(provider) \(modelName) does not take extra_body.\(key) (the API refuses it); dropping it")
            }
            let kept = extra.filter { !capabilities.refusedExtraBodyKeys.contains($0.key) }
            request.extraBody = kept.isEmpty ? nil : kept
        }
        try drop(\.remixOf, "remix_of", supported: capabilities.remix)
        try drop(\.watermark, "watermark", supported: capabilities.watermark || watermark == false)
        if let count = numOutputs, count != 1 {
            guard count >= 1 else { throw invalid("num_outputs must be at least 1, got \(count)") }
            // A model whose job makes one video fans out into one job per video (up to `maxFannedOutputs`).
            let limit = capabilities.outputLimit
            if count > limit {
                request.numOutputs = try unsupported("num_outputs", String(count), allowed: ["1–\(limit)"],
                                                     nearest: String(limit)).flatMap(Int.init)
            }
        }
        if let images = referenceImages, images.count > capabilities.maxReferenceImages {
            let max = capabilities.maxReferenceImages
            _ = try unsupported("images", "\(images.count) reference images", allowed: max == 0 ? [] : ["at most \(max)"],
                                nearest: max == 0 ? nil : "the first \(max)")
            request.referenceImages = max == 0 ? nil : Array(images.prefix(max))
        }
        if let style, !capabilities.styles.contains(style) {
            request.style = try unsupported("style", style, allowed: capabilities.styles, nearest: nil)
        }
        return (request, warnings)
    }

    /// Width and height of a `WIDTHxHEIGHT` size, or nil when malformed.
    public static func parseSize(_ text: String) -> (width: Int, height: Int)? {
        let parts = text.lowercased().split(separator: "x")
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]), width > 0, height > 0 else {
            return nil
        }
        return (width, height)
    }

    /// `W:H` as a number, or nil when malformed.
    public static func ratioValue(_ text: String) -> Double? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let width = Double(parts[0]), let height = Double(parts[1]), width > 0, height > 0 else {
            return nil
        }
        return width / height
    }

    /// The allowed length closest to `seconds`.
    static func snap(_ seconds: Double, capabilities: ProviderCapabilities) -> Double {
        if let allowed = capabilities.allowedSeconds, let nearest = allowed.min(by: { abs($0 - seconds) < abs($1 - seconds) }) {
            return nearest
        }
        return min(max(seconds, capabilities.secondsRange.lowerBound), capabilities.secondsRange.upperBound)
    }

    static func nearestSize(_ size: (width: Int, height: Int), in sizes: [String]) -> String? {
        let ratio = log(Double(size.width) / Double(size.height))
        let area = log(Double(size.width * size.height))
        return sizes.min { a, b in
            func distance(_ text: String) -> Double {
                guard let other = parseSize(text) else { return .infinity }
                return abs(log(Double(other.width) / Double(other.height)) - ratio) * 4
                    + abs(log(Double(other.width * other.height)) - area)
            }
            return distance(a) < distance(b)
        }
    }

    static func nearestRatio(_ ratio: String, in ratios: [String]) -> String? {
        guard let value = ratioValue(ratio) else { return nil }
        return ratios.filter { ratioValue($0) != nil }.min {
            abs(log(ratioValue($0) ?? 1) - log(value)) < abs(log(ratioValue($1) ?? 1) - log(value))
        }
    }

    static func nearestResolution(_ resolution: String, in resolutions: [String]) -> String? {
        func lines(_ text: String) -> Double? { Double(text.lowercased().filter(\.isNumber)).map { text.lowercased().hasSuffix("k") ? $0 * 540 : $0 } }
        guard let value = lines(resolution) else { return nil }
        return resolutions.filter { lines($0) != nil }.min { abs((lines($0) ?? 0) - value) < abs((lines($1) ?? 0) - value) }
    }

    static func format(_ value: Double) -> String {
        value.rounded() == value ? String(Int(value)) : String(value)
    }
}
