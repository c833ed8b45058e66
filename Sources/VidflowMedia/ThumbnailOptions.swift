/// How `Thumbnailer` should size, frame and compress a JPEG thumbnail.
public struct ThumbnailOptions: Sendable, Equatable {
    /// How the picture is fitted into the requested size.
    public enum Fit: String, Sendable, Codable, CaseIterable {
        /// Scale to fit inside, padding with black bars.
        case letterbox
        /// Scale to fill, cutting the overflow equally from both sides.
        case crop
    }

    public var width: Int
    public var height: Int
    public var fit: Fit
    /// JPEG quality 1–100 (mapped to the mjpeg encoder's qscale 31–2).
    public var quality: Int
    /// Time in seconds of the frame to capture; nil takes the first frame.
    public var at: Double?

    public init(width: Int = 1280, height: Int = 720, fit: Fit = .letterbox, quality: Int = 85, at: Double? = nil) {
        self.width = width
        self.height = height
        self.fit = fit
        self.quality = quality
        self.at = at
    }

    /// The mjpeg qscale (2 best … 31 worst) for `quality`.
    public var qscale: Int {
        let clamped = min(100, max(1, quality))
        return Int((2 + Double(100 - clamped) * 29 / 99).rounded())
    }

    func validate() throws(MediaError) {
        try validateDimensions(width: width, height: height)
        guard (1...100).contains(quality) else { throw MediaError.invalidOptions("quality must be 1...100, got \(quality)") }
        if let at, !(at.isFinite && at >= 0) { throw MediaError.invalidOptions("at must be a non-negative number of seconds") }
    }
}
