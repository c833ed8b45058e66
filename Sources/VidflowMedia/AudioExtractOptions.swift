/// What `AudioExtractor` writes: a container/codec pair, a sample rate and a channel count.
public struct AudioExtractOptions: Sendable, Equatable {
    /// The audio file formats `AudioExtractor` can write.
    public enum Format: String, Sendable, CaseIterable {
        /// PCM signed 16-bit little-endian in a RIFF WAVE file.
        case wav
        /// Lossless FLAC in a native FLAC file.
        case flac
        /// MP3 (LAME).
        case mp3
        /// AAC in an MPEG-4 audio file.
        case m4a

        /// The FFmpeg encoder's name.
        var encoder: String {
            switch self {
            case .wav: "pcm_s16le"
            case .flac: "flac"
            case .mp3: "libmp3lame"
            case .m4a: "aac"
            }
        }

        /// The FFmpeg muxer's name.
        var muxer: String {
            switch self {
            case .wav: "wav"
            case .flac: "flac"
            case .mp3: "mp3"
            case .m4a: "ipod"
            }
        }

        /// Bits per second per channel for the lossy formats.
        var bitRatePerChannel: Int64? {
            switch self {
            case .wav, .flac: nil
            case .mp3, .m4a: 64_000
            }
        }

        /// The file name extension.
        public var fileExtension: String { rawValue }

        /// The MIME type of the file.
        public var mime: String {
            switch self {
            case .wav: "audio/wav"
            case .flac: "audio/flac"
            case .mp3: "audio/mpeg"
            case .m4a: "audio/mp4"
            }
        }

        /// The codec name as ffprobe reports it.
        public var codecName: String {
            switch self {
            case .wav: "pcm_s16le"
            case .flac: "flac"
            case .mp3: "mp3"
            case .m4a: "aac"
            }
        }
    }

    public var format: Format
    /// Output sample rate in Hz (16 kHz by default, what speech-to-text services want).
    public var sampleRate: Int
    /// Output channel count (mono by default).
    public var channels: Int

    public init(format: Format = .wav, sampleRate: Int = 16000, channels: Int = 1) {
        self.format = format
        self.sampleRate = sampleRate
        self.channels = channels
    }

    func validate() throws(MediaError) {
        guard sampleRate >= 1000, sampleRate <= 384_000 else {
            throw MediaError.invalidOptions("sample_rate must be between 1000 and 384000 Hz, got \(sampleRate)")
        }
        guard channels >= 1, channels <= 8 else {
            throw MediaError.invalidOptions("channels must be between 1 and 8, got \(channels)")
        }
    }

    var encoding: AudioEncoding {
        AudioEncoding(encoder: format.encoder, sampleRate: Int32(sampleRate), channels: Int32(channels),
                      bitRatePerChannel: format.bitRatePerChannel)
    }
}

/// What `AudioExtractor` wrote.
public struct AudioExtractResult: Sendable, Equatable {
    public var format: AudioExtractOptions.Format
    public var sampleRate: Int
    public var channels: Int
    /// Seconds of audio written (samples / sample rate).
    public var duration: Double

    public init(format: AudioExtractOptions.Format, sampleRate: Int, channels: Int, duration: Double) {
        self.format = format
        self.sampleRate = sampleRate
        self.channels = channels
        self.duration = duration
    }
}
