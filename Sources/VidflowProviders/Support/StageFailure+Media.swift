import VidflowCore
import VidflowMedia

extension StageFailure {
    /// The failure for a media-layer error: bad input is `invalid_input`, an unwritable output `transient`,
    /// cancellation `cancelled`, anything else from FFmpeg `internal`. `what` says what was being done.
    static func media(_ error: any Error, _ what: String) -> StageFailure {
        if let failure = error as? StageFailure { return failure }
        guard let media = error as? MediaError else { return StageFailure(.internalError, "\(what): \(error)") }
        let kind: ErrorKind = switch media {
        case .fileNotFound, .emptyFile, .openFailed, .noVideoStream, .noAudioStream, .notAnImage, .unsupportedCodec,
             .invalidDimensions, .decodeFailed, .invalidOptions: .invalidInput
        case .outputFailed: .transient
        case .cancelled: .cancelled
        case .ffmpeg: .internalError
        }
        return StageFailure(kind, "\(what): \(media)")
    }
}
