/// What the offline renderer should draw: size, timing, seed and either an image or a text prompt.
public struct RenderRequest: Sendable, Equatable, Codable {
    public var width: Int
    public var height: Int
    public var fps: Int
    public var seconds: Double
    /// Chooses colours, motion and pan direction; the same request always renders the same frames.
    public var seed: UInt64
    /// Text drawn over the procedural animation (ignored when `imagePath` is set).
    public var prompt: String
    /// A still image to animate with a Ken Burns pan-and-zoom; nil renders the procedural animation.
    public var imagePath: String?
    /// x264 constant rate factor.
    public var crf: Int

    public init(width: Int, height: Int, fps: Int, seconds: Double, seed: UInt64, prompt: String,
                imagePath: String? = nil, crf: Int = 20) {
        self.width = width
        self.height = height
        self.fps = fps
        self.seconds = seconds
        self.seed = seed
        self.prompt = prompt
        self.imagePath = imagePath
        self.crf = crf
    }

    /// Number of frames rendered: round(seconds × fps).
    public var frameCount: Int {
        guard seconds.isFinite, seconds > 0 else { return 0 }
        return Int((seconds * Double(fps)).rounded())
    }

    func validate() throws(MediaError) {
        try validateDimensions(width: width, height: height)
        guard width % 2 == 0, height % 2 == 0 else {
            throw MediaError.invalidDimensions(width: width, height: height, reason: "H.264 yuv420p needs even dimensions")
        }
        guard (1...240).contains(fps) else { throw MediaError.invalidOptions("fps must be 1...240, got \(fps)") }
        guard seconds.isFinite, seconds > 0, seconds <= 3600 else {
            throw MediaError.invalidOptions("seconds must be in (0, 3600], got \(seconds)")
        }
        guard frameCount >= 1 else { throw MediaError.invalidOptions("the video would have no frames") }
        guard (0...51).contains(crf) else { throw MediaError.invalidOptions("crf must be 0...51, got \(crf)") }
    }
}
