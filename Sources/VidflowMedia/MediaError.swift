import CFFmpeg

/// A typed failure from the media layer, carrying FFmpeg's own message where there is one.
public enum MediaError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The input path does not exist or is not a regular file.
    case fileNotFound(path: String)
    /// The input file exists but holds no bytes.
    case emptyFile(path: String)
    /// FFmpeg could not open or parse the container.
    case openFailed(path: String, reason: String)
    /// The container holds no video stream.
    case noVideoStream(path: String)
    /// The container holds no audio stream.
    case noAudioStream(path: String)
    /// The input is readable media but not a still image.
    case notAnImage(path: String, reason: String)
    /// No decoder (or encoder) is available for the codec.
    case unsupportedCodec(path: String, codec: String)
    /// Width or height is zero, odd where it must be even, or beyond the supported maximum.
    case invalidDimensions(width: Int, height: Int, reason: String)
    /// The stream could be opened but no frame could be decoded from it.
    case decodeFailed(path: String, reason: String)
    /// The caller passed options that cannot be honoured.
    case invalidOptions(String)
    /// The output could not be written or moved into place.
    case outputFailed(path: String, reason: String)
    /// An FFmpeg call returned a negative error code.
    case ffmpeg(operation: String, code: Int32, message: String)
    /// The operation was cancelled through its `isCancelled` callback.
    case cancelled

    public var description: String {
        switch self {
        case .fileNotFound(let path): "file not found: \(path)"
        case .emptyFile(let path): "file is empty: \(path)"
        case .openFailed(let path, let reason): "cannot open \(path): \(reason)"
        case .noVideoStream(let path): "no video stream in \(path)"
        case .noAudioStream(let path): "no audio stream in \(path)"
        case .notAnImage(let path, let reason): "not an image: \(path) (\(reason))"
        case .unsupportedCodec(let path, let codec): "unsupported codec '\(codec)' in \(path)"
        case .invalidDimensions(let width, let height, let reason): "invalid dimensions \(width)x\(height): \(reason)"
        case .decodeFailed(let path, let reason): "cannot decode \(path): \(reason)"
        case .invalidOptions(let reason): "invalid options: \(reason)"
        case .outputFailed(let path, let reason): "cannot write \(path): \(reason)"
        case .ffmpeg(let operation, let code, let message): "\(operation) failed: \(message) (FFmpeg error \(code))"
        case .cancelled: "cancelled"
        }
    }
}

/// Largest width or height accepted for any input or output.
let maxDimension = 16384

/// FFmpeg's text for an error code, as `av_strerror` writes it.
func ffmpegMessage(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    if av_strerror(code, &buffer, buffer.count) < 0 {
        return "unknown error \(code)"
    }
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}

/// Turns a negative FFmpeg return code into `MediaError.ffmpeg`, naming what was being done.
@discardableResult
func check(_ code: Int32, _ what: @autoclosure () -> String) throws(MediaError) -> Int32 {
    if code < 0 {
        throw MediaError.ffmpeg(operation: what(), code: code, message: ffmpegMessage(code))
    }
    return code
}

/// Error codes FFmpeg defines as macros, read once through the C shim.
enum AVCode {
    static let eof = vf_averror_eof()
    static let again = vf_averror_eagain()
    static let noMemory = vf_averror_enomem()
    static let invalidData = vf_averror_invaliddata()
    static let noPTS = vf_nopts_value()
}

/// One-time process setup for FFmpeg: keep its logging quiet so it does not spam stderr.
enum FFmpegRuntime {
    private static let configured: Bool = {
        av_log_set_level(AV_LOG_FATAL)
        return true
    }()

    /// Call before any FFmpeg work; cheap after the first call.
    static func ensureConfigured() {
        _ = configured
    }
}
