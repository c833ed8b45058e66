import CFFmpeg
import Foundation

/// Where a soft subtitle track goes: the output muxer (the input's own container) and the subtitle codec it holds.
public struct SubtitleContainer: Sendable, Equatable {
    /// The FFmpeg muxer name (`mp4`, `mov`, `webm`, `matroska`).
    public var muxer: String
    /// The FFmpeg subtitle encoder (`mov_text`, `webvtt`, `srt`).
    public var subtitleEncoder: String
    /// The subtitle codec as ffprobe reports it (`mov_text`, `webvtt`, `subrip`).
    public var subtitleCodec: String
    public var fileExtension: String
    public var mime: String

    static let mp4 = SubtitleContainer(muxer: "mp4", subtitleEncoder: "mov_text", subtitleCodec: "mov_text", fileExtension: "mp4", mime: "video/mp4")
    static let mov = SubtitleContainer(muxer: "mov", subtitleEncoder: "mov_text", subtitleCodec: "mov_text", fileExtension: "mov", mime: "video/quicktime")
    static let webm = SubtitleContainer(muxer: "webm", subtitleEncoder: "webvtt", subtitleCodec: "webvtt", fileExtension: "webm", mime: "video/webm")
    static let matroska = SubtitleContainer(muxer: "matroska", subtitleEncoder: "srt", subtitleCodec: "subrip", fileExtension: "mkv", mime: "video/x-matroska")

    /// The container a subtitled copy of the video at `path` is written in: its own (MP4, MOV, WebM or Matroska).
    public static func forVideo(at path: String) throws(MediaError) -> SubtitleContainer {
        try forVideo(try InputFile(path: path))
    }

    static func forVideo(_ input: InputFile) throws(MediaError) -> SubtitleContainer {
        let format = input.formatName
        let ext = URL(fileURLWithPath: input.path).pathExtension.lowercased()
        if format.contains("mp4") || format.hasPrefix("mov") {
            return ext == "mov" ? .mov : .mp4
        }
        if format.contains("matroska") || format.contains("webm") {
            return copiedStreamsFit(input, muxer: "webm") ? .webm : .matroska
        }
        throw MediaError.invalidOptions("subtitles can be added to MP4, MOV, WebM or Matroska video; \(input.path) is \(format)")
    }

    /// Whether every video and audio stream of `input` can be stream-copied into `muxer`.
    static func copiedStreamsFit(_ input: InputFile, muxer: String) -> Bool {
        guard let format = av_guess_format(muxer, nil, nil) else { return false }
        return (0..<input.streamCount).allSatisfy { index in
            guard let parameters = input.stream(index)?.pointee.codecpar else { return true }
            let type = parameters.pointee.codec_type
            guard type == AVMEDIA_TYPE_VIDEO || type == AVMEDIA_TYPE_AUDIO else { return true }
            return avformat_query_codec(format, parameters.pointee.codec_id, FF_COMPLIANCE_NORMAL) == 1
        }
    }
}

/// What `SubtitleMuxer` wrote.
public struct SubtitleMuxResult: Sendable, Equatable {
    public var container: SubtitleContainer
    /// Subtitle cues written.
    public var cues: Int
    /// Video and audio streams copied unchanged.
    public var copiedStreams: Int

    public init(container: SubtitleContainer, cues: Int, copiedStreams: Int) {
        self.container = container
        self.cues = cues
        self.copiedStreams = copiedStreams
    }
}
