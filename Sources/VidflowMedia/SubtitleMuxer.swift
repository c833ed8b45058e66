import CFFmpeg

/// Adds a subtitle file as a soft track to a copy of a video, stream-copying every video and audio
/// packet (nothing is re-encoded): mov_text in MP4/MOV, WebVTT in WebM, SubRip in Matroska.
public enum SubtitleMuxer {
    /// Writes `output` (in the container `SubtitleContainer.forVideo(at: input)` names) via a temporary
    /// file, so a failure never leaves a partial `output`. `language` is an ISO 639-2 code for the track.
    public static func mux(input: String, subtitles: String, output: String, language: String? = nil,
                           progress: @Sendable (Double) -> Void = { _ in },
                           isCancelled: @Sendable () -> Bool = { false }) throws -> SubtitleMuxResult {
        if let language, language.count != 3 || !language.allSatisfy({ $0.isASCII && $0.isLowercase }) {
            throw MediaError.invalidOptions("language must be an ISO 639-2 code such as 'eng' or 'zho', got '\(language)'")
        }
        let result = try TemporaryOutput.produce(output) { path in
            try run(input: input, subtitles: subtitles, temporaryPath: path, language: language,
                    progress: progress, isCancelled: isCancelled)
        }
        progress(1)
        return result
    }

    private static func run(input path: String, subtitles: String, temporaryPath: String, language: String?,
                            progress: @Sendable (Double) -> Void,
                            isCancelled: @Sendable () -> Bool) throws(MediaError) -> SubtitleMuxResult {
        let input = try InputFile(path: path)
        guard input.bestStream(AVMEDIA_TYPE_VIDEO) != nil else { throw MediaError.noVideoStream(path: path) }
        let container = try SubtitleContainer.forVideo(input)
        let file = try OutputFile(path: temporaryPath, format: container.muxer)
        let mapping = try copyStreams(of: input, into: file)
        av_dict_copy(&file.raw.pointee.metadata, input.raw.pointee.metadata, 0)
        let track = try SubtitleCues(path: subtitles, container: container, output: file, language: language,
                                     videoSize: videoSize(of: input))
        try file.writeHeader()

        let offset = input.raw.pointee.start_time == AVCode.noPTS ? 0 : input.raw.pointee.start_time
        let cues = track.cues.sorted { $0.start < $1.start }
        var nextCue = 0
        let totalDuration = input.duration
        let packet = try Packet()
        var packets = 0
        while try input.read(into: packet) {
            defer { packet.unref() }
            let index = Int(packet.streamIndex)
            guard let target = mapping[index], let stream = input.stream(index) else { continue }
            packets += 1
            if packets % 64 == 0, isCancelled() { throw MediaError.cancelled }
            let time = packet.raw.pointee.dts != AVCode.noPTS ? packet.raw.pointee.dts : packet.raw.pointee.pts
            if time != AVCode.noPTS {
                let micros = av_rescale_q(time, stream.pointee.time_base, vf_time_base_q())
                while nextCue < cues.count, cues[nextCue].start + offset <= micros {
                    try track.write(cues[nextCue], offset: offset, to: file)
                    nextCue += 1
                }
                if totalDuration > 0 { progress(min(0.99, max(0, Double(micros - offset) / 1e6 / totalDuration))) }
            }
            try file.write(packet, stream: target, from: stream.pointee.time_base)
        }
        while nextCue < cues.count {
            try track.write(cues[nextCue], offset: offset, to: file)
            nextCue += 1
        }
        try file.finish()
        return SubtitleMuxResult(container: container, cues: cues.count, copiedStreams: mapping.count)
    }

    /// Adds a copy stream for every video and audio stream (and every subtitle stream the container can
    /// hold); returns input index → output index. A video or audio codec the container cannot hold is an error.
    private static func copyStreams(of input: InputFile, into file: OutputFile) throws(MediaError) -> [Int: Int32] {
        var mapping: [Int: Int32] = [:]
        for index in 0..<input.streamCount {
            guard let stream = input.stream(index), let parameters = stream.pointee.codecpar else { continue }
            let type = parameters.pointee.codec_type
            let supported = avformat_query_codec(file.raw.pointee.oformat, parameters.pointee.codec_id, FF_COMPLIANCE_NORMAL) == 1
            if type == AVMEDIA_TYPE_VIDEO || type == AVMEDIA_TYPE_AUDIO {
                if stream.pointee.disposition & AV_DISPOSITION_ATTACHED_PIC != 0 { continue }
                guard supported else {
                    throw MediaError.unsupportedCodec(path: input.path, codec: "\(codecName(parameters)) cannot be copied into \(file.formatName)")
                }
            } else if type != AVMEDIA_TYPE_SUBTITLE || !supported {
                continue
            }
            let output = try file.addCopyStream(from: stream)
            if let added = file.raw.pointee.streams[Int(output)] {
                av_dict_copy(&added.pointee.metadata, stream.pointee.metadata, 0)
                added.pointee.disposition = stream.pointee.disposition
                added.pointee.avg_frame_rate = stream.pointee.avg_frame_rate
            }
            mapping[index] = output
        }
        return mapping
    }

    private static func videoSize(of input: InputFile) -> (width: Int32, height: Int32)? {
        guard let index = input.bestStream(AVMEDIA_TYPE_VIDEO), let parameters = input.stream(index)?.pointee.codecpar else { return nil }
        return (parameters.pointee.width, parameters.pointee.height)
    }
}
