/// What a probe learned about a media file: container facts plus its streams.
public struct MediaInfo: Sendable, Codable, Equatable {
    /// Duration in seconds (0 when unknown).
    public var duration: Double
    /// FFmpeg's demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2".
    public var formatName: String
    /// Overall bit rate in bits per second (0 when unknown).
    public var bitRate: Int
    /// File size in bytes.
    public var size: Int64
    public var streams: [StreamInfo]
    /// The main video stream, if any.
    public var video: VideoStreamInfo?
    /// The main audio stream, if any.
    public var audio: AudioStreamInfo?

    public init(duration: Double, formatName: String, bitRate: Int, size: Int64, streams: [StreamInfo],
                video: VideoStreamInfo?, audio: AudioStreamInfo?) {
        self.duration = duration
        self.formatName = formatName
        self.bitRate = bitRate
        self.size = size
        self.streams = streams
        self.video = video
        self.audio = audio
    }
}

/// One stream of a container, as listed by the probe.
public struct StreamInfo: Sendable, Codable, Equatable {
    public var index: Int
    /// "video", "audio", "subtitle", "data", "attachment" or "unknown".
    public var type: String
    public var codec: String
    /// Duration in seconds, when the container states it.
    public var duration: Double?
    /// Bit rate in bits per second, when known.
    public var bitRate: Int?

    public init(index: Int, type: String, codec: String, duration: Double?, bitRate: Int?) {
        self.index = index
        self.type = type
        self.codec = codec
        self.duration = duration
        self.bitRate = bitRate
    }
}

/// The facts about a video stream that later stages need.
public struct VideoStreamInfo: Sendable, Codable, Equatable {
    public var codec: String
    public var width: Int
    public var height: Int
    /// Average frame rate (falls back to the real base rate when the average is unknown).
    public var fps: Double
    public var pixelFormat: String
    /// Frame count stated by the container, if any.
    public var frameCount: Int?

    public init(codec: String, width: Int, height: Int, fps: Double, pixelFormat: String, frameCount: Int?) {
        self.codec = codec
        self.width = width
        self.height = height
        self.fps = fps
        self.pixelFormat = pixelFormat
        self.frameCount = frameCount
    }
}

/// The facts about an audio stream that later stages need.
public struct AudioStreamInfo: Sendable, Codable, Equatable {
    public var codec: String
    public var sampleRate: Int
    public var channels: Int

    public init(codec: String, sampleRate: Int, channels: Int) {
        self.codec = codec
        self.sampleRate = sampleRate
        self.channels = channels
    }
}
