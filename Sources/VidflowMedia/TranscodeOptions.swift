/// How `Transcoder` should encode its H.264/MP4 output.
public struct TranscodeOptions: Sendable, Equatable {
    /// Encoding quality, mapped to an x264 CRF value.
    public enum Quality: String, Sendable, Codable, CaseIterable {
        case low, medium, high

        /// The x264 constant rate factor for this quality.
        public var crf: Int {
            switch self {
            case .low: 28
            case .medium: 23
            case .high: 18
            }
        }
    }

    public var quality: Quality
    /// Output width; nil keeps the aspect ratio from `height` (or the source width when both are nil).
    public var width: Int?
    /// Output height; nil keeps the aspect ratio from `width` (or the source height when both are nil).
    public var height: Int?
    /// Constant output frame rate; frames are duplicated or dropped by timestamp.
    public var fps: Int
    /// The x264 preset, e.g. "veryfast".
    public var preset: String

    public init(quality: Quality = .medium, width: Int? = nil, height: Int? = nil, fps: Int = 30, preset: String = "veryfast") {
        self.quality = quality
        self.width = width
        self.height = height
        self.fps = fps
        self.preset = preset
    }

    /// x264 presets accepted by `preset`.
    static let presets: Set<String> = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo"]

    func validate() throws(MediaError) {
        guard fps > 0, fps <= 240 else { throw MediaError.invalidOptions("fps must be between 1 and 240, got \(fps)") }
        guard Self.presets.contains(preset) else { throw MediaError.invalidOptions("unknown x264 preset '\(preset)'") }
        for value in [width, height].compactMap({ $0 }) where value < 2 || value > maxDimension {
            throw MediaError.invalidDimensions(width: width ?? 0, height: height ?? 0, reason: "each side must be 2...\(maxDimension)")
        }
    }

    /// The even output size for a `sourceWidth`×`sourceHeight` input.
    func outputSize(sourceWidth: Int, sourceHeight: Int) -> (width: Int, height: Int) {
        let aspect = Double(sourceWidth) / Double(sourceHeight)
        switch (width, height) {
        case let (w?, h?): return (evenFloor(w), evenFloor(h))
        case let (w?, nil): return (evenFloor(w), evenRound(Double(w) / aspect))
        case let (nil, h?): return (evenRound(Double(h) * aspect), evenFloor(h))
        case (nil, nil): return (evenFloor(sourceWidth), evenFloor(sourceHeight))
        }
    }
}

/// What `Transcoder` produced.
public struct TranscodeResult: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var fps: Int
    /// Output video duration in seconds (frames / fps).
    public var duration: Double
    public var hasAudio: Bool
    /// True when the source audio was AAC and its packets were copied unchanged.
    public var audioCopied: Bool
    /// Number of video frames written.
    public var frames: Int

    public init(width: Int, height: Int, fps: Int, duration: Double, hasAudio: Bool, audioCopied: Bool, frames: Int) {
        self.width = width
        self.height = height
        self.fps = fps
        self.duration = duration
        self.hasAudio = hasAudio
        self.audioCopied = audioCopied
        self.frames = frames
    }
}

/// Largest even number not above `value`, at least 2.
func evenFloor(_ value: Int) -> Int { max(2, value - value % 2) }

/// Nearest even number to `value`, at least 2.
func evenRound(_ value: Double) -> Int { max(2, Int((value / 2).rounded()) * 2) }
