import VidflowCore
import VidflowMedia

/// Turns an adapted `VideoRequest` into the `RenderRequest` the `local` provider draws: size, fps, seed.
enum LocalRenderPlanner {
    static let defaultAspectRatio = "16:9"
    static let defaultResolution = "720p"
    static let defaultFPS = 24

    /// The render for `request`; a size that cannot be encoded is an `invalid_input` error.
    static func render(for request: VideoRequest) throws(ProviderError) -> RenderRequest {
        let (width, height) = try size(for: request)
        let fps = request.fps ?? defaultFPS
        guard (1...60).contains(fps) else { throw invalid("fps must be 1...60, got \(fps)") }
        return RenderRequest(width: width, height: height, fps: fps, seconds: request.seconds ?? 4,
                             seed: seed(for: request), prompt: request.prompt, imagePath: request.image)
    }

    /// Pixel size: an explicit `size`, else the short side from `resolution` and the long side from `aspect_ratio`.
    static func size(for request: VideoRequest) throws(ProviderError) -> (width: Int, height: Int) {
        if let text = request.size {
            guard let size = VideoRequest.parseSize(text) else { throw invalid("size must be WIDTHxHEIGHT, got '\(text)'") }
            return try checked(width: even(Double(size.width)), height: even(Double(size.height)))
        }
        let ratioText = request.aspectRatio ?? defaultAspectRatio
        let parts = ratioText.split(separator: ":").compactMap { Double($0) }
        guard parts.count == 2, parts[0] > 0, parts[1] > 0 else { throw invalid("aspect ratio must be W:H, got '\(ratioText)'") }
        let resolutionText = request.resolution ?? defaultResolution
        guard resolutionText.hasSuffix("p"), let short = Double(resolutionText.dropLast()), short > 0 else {
            throw invalid("resolution must look like 720p, got '\(resolutionText)'")
        }
        let ratio = parts[0] / parts[1]
        return ratio >= 1
            ? try checked(width: even(short * ratio), height: even(short))
            : try checked(width: even(short), height: even(short / ratio))
    }

    /// The request's seed, or one derived from the prompt so the same request renders the same video.
    static func seed(for request: VideoRequest) -> UInt64 {
        if let seed = request.seed { return UInt64(bitPattern: Int64(seed)) }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in request.prompt.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return hash
    }

    private static func even(_ value: Double) -> Int { max(2, Int((value / 2).rounded()) * 2) }

    private static func checked(width: Int, height: Int) throws(ProviderError) -> (width: Int, height: Int) {
        guard width <= 4096, height <= 4096 else { throw invalid("\(width)x\(height) is larger than 4096 pixels") }
        return (width, height)
    }

    private static func invalid(_ message: String) -> ProviderError {
        ProviderError(provider: LocalProvider.providerName, operation: "plan render", kind: .invalidInput, message: message)
    }
}
