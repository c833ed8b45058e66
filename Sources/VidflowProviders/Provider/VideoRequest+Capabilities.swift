import VidflowCore

extension VideoRequest {
    /// This request trimmed to what `capabilities` accept: unsupported optional fields are dropped and
    /// lengths snapped to an allowed one, each change described in the returned warnings.
    /// An unknown model or a malformed size is an `invalid_input` error, since no trimming could honour it.
    public func adapted(to capabilities: ProviderCapabilities, provider: String) throws(ProviderError)
        -> (request: VideoRequest, warnings: [String]) {
        func invalid(_ message: String) -> ProviderError {
            ProviderError(provider: provider, operation: "validate request", kind: .invalidInput, message: message)
        }
        var request = self
        var warnings: [String] = []
        func drop<T>(_ path: WritableKeyPath<VideoRequest, T?>, _ name: String, supported: Bool) {
            if !supported, request[keyPath: path] != nil {
                request[keyPath: path] = nil
                warnings.append("\(provider) does not support '\(name)'; ignoring it")
            }
        }
        if let model, !capabilities.models.contains(model) {
            throw invalid("unknown model '\(model)' (known: \(capabilities.models.joined(separator: ", ")))")
        }
        if request.model == nil { request.model = capabilities.models.first }
        let seconds = seconds ?? capabilities.defaultSeconds
        guard seconds.isFinite, seconds > 0 else { throw invalid("seconds must be positive, got \(seconds)") }
        request.seconds = Self.snap(seconds, capabilities: capabilities)
        if let snapped = request.seconds, snapped != seconds {
            warnings.append("\(provider) cannot make \(seconds) s clips; using \(snapped) s")
        }
        if let size {
            guard Self.parseSize(size) != nil else { throw invalid("size must be WIDTHxHEIGHT, got '\(size)'") }
            drop(\.size, "size", supported: capabilities.arbitrarySizes || capabilities.sizes.contains(size))
        }
        if let ratio = aspectRatio, !capabilities.aspectRatios.contains(ratio) {
            request.aspectRatio = nil
            warnings.append("\(provider) does not support aspect ratio '\(ratio)'; using its default")
        }
        if let resolution, !capabilities.resolutions.contains(resolution) {
            request.resolution = nil
            warnings.append("\(provider) does not support resolution '\(resolution)'; using its default")
        }
        drop(\.negativePrompt, "negative_prompt", supported: capabilities.negativePrompt)
        drop(\.seed, "seed", supported: capabilities.seed)
        drop(\.fps, "fps", supported: capabilities.fps)
        drop(\.image, "image", supported: capabilities.imageInput)
        drop(\.lastFrame, "last_frame", supported: capabilities.lastFrame)
        drop(\.generateAudio, "generate_audio", supported: capabilities.audio || generateAudio == false)
        drop(\.extraBody, "extra_body", supported: capabilities.extraBody)
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

    /// The allowed length closest to `seconds`.
    static func snap(_ seconds: Double, capabilities: ProviderCapabilities) -> Double {
        if let allowed = capabilities.allowedSeconds, let nearest = allowed.min(by: { abs($0 - seconds) < abs($1 - seconds) }) {
            return nearest
        }
        return min(max(seconds, capabilities.secondsRange.lowerBound), capabilities.secondsRange.upperBound)
    }
}
