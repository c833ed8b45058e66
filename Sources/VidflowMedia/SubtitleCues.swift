import CFFmpeg
import Foundation

/// One encoded subtitle cue, ready to mux: start and duration in microseconds, payload in the target codec.
struct EncodedCue {
    var start: Int64
    var duration: Int64
    var payload: [UInt8]
}

/// Reads a subtitle file (SRT, WebVTT, or any text subtitle FFmpeg demuxes), decodes every cue and
/// re-encodes it with a subtitle encoder (`mov_text`, `webvtt`, `srt`) whose stream it adds to an `OutputFile`.
final class SubtitleCues {
    let outputStream: Int32
    /// The cues in file order, already encoded.
    private(set) var cues: [EncodedCue] = []
    private let encoder: CodecContext
    /// Subtitle files are read whole into memory (the demuxers do too): far above any real film's.
    static let maxFileSize: Int64 = 32 << 20

    /// Decodes `path` and encodes its cues for `container`, tagging the new stream with `language` (ISO 639-2).
    init(path: String, container: SubtitleContainer, output: OutputFile, language: String?,
         videoSize: (width: Int32, height: Int32)?) throws(MediaError) {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
        guard size <= Self.maxFileSize else {
            throw MediaError.invalidOptions("\(path) is \(size) bytes; a subtitle file may hold at most \(Self.maxFileSize) bytes")
        }
        let input = try InputFile(path: path)
        guard let index = (0..<input.streamCount).first(where: { input.stream($0)?.pointee.codecpar?.pointee.codec_type == AVMEDIA_TYPE_SUBTITLE }),
              let stream = input.stream(index) else {
            throw MediaError.invalidOptions("\(path) is not a subtitle file (detected as \(input.formatName))")
        }
        let decoder = try CodecContext.decoder(for: stream, path: path, threads: 1)
        encoder = try CodecContext.encoder(named: container.subtitleEncoder)
        let context = encoder.raw
        context.pointee.time_base = vf_time_base_q()
        if let videoSize {
            context.pointee.width = videoSize.width
            context.pointee.height = videoSize.height
        }
        try Self.copyHeader(from: decoder, to: encoder)
        if output.wantsGlobalHeader {
            context.pointee.flags |= Int32(AV_CODEC_FLAG_GLOBAL_HEADER)
        }
        try encoder.open()
        outputStream = try output.addStream(encoder: encoder)
        if let language, let added = output.raw.pointee.streams[Int(outputStream)] {
            av_dict_set(&added.pointee.metadata, "language", language, 0)
        }
        try decodeAll(input: input, streamIndex: index, decoder: decoder, path: path)
        guard !cues.isEmpty else { throw MediaError.invalidOptions("\(path) holds no subtitle cues") }
    }

    /// Encoders build their style from the decoder's ASS header (mov_text refuses to open without one).
    private static func copyHeader(from decoder: CodecContext, to encoder: CodecContext) throws(MediaError) {
        let size = Int(decoder.raw.pointee.subtitle_header_size)
        guard size > 0, let header = decoder.raw.pointee.subtitle_header else { return }
        guard let copy = av_mallocz(size + 1) else {
            throw MediaError.ffmpeg(operation: "copying a subtitle header", code: AVCode.noMemory, message: ffmpegMessage(AVCode.noMemory))
        }
        copy.copyMemory(from: header, byteCount: size)
        encoder.raw.pointee.subtitle_header = copy.assumingMemoryBound(to: UInt8.self)
        encoder.raw.pointee.subtitle_header_size = Int32(size)
    }

    private func decodeAll(input: InputFile, streamIndex: Int, decoder: CodecContext, path: String) throws(MediaError) {
        let packet = try Packet()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while try input.read(into: packet) {
            defer { packet.unref() }
            guard Int(packet.streamIndex) == streamIndex else { continue }
            var subtitle = AVSubtitle()
            var got: Int32 = 0
            let code = avcodec_decode_subtitle2(decoder.raw, &subtitle, &got, packet.raw)
            if code < 0 { throw MediaError.decodeFailed(path: path, reason: "subtitle cue: \(ffmpegMessage(code))") }
            guard got != 0 else { continue }
            defer { avsubtitle_free(&subtitle) }
            guard subtitle.num_rects > 0, subtitle.pts != AVCode.noPTS else { continue }
            // As ffmpeg does: fold the display start into pts; the encoder wants start_display_time 0.
            let start = subtitle.pts + Int64(subtitle.start_display_time) * 1000
            let duration = Int64(subtitle.end_display_time) - Int64(subtitle.start_display_time)
            subtitle.pts = start
            subtitle.end_display_time = UInt32(max(0, duration))
            subtitle.start_display_time = 0
            let size = buffer.withUnsafeMutableBufferPointer { bytes in
                avcodec_encode_subtitle(encoder.raw, bytes.baseAddress, Int32(bytes.count), &subtitle)
            }
            try check(size, "encoding a subtitle cue of \(path)")
            cues.append(EncodedCue(start: start, duration: max(0, duration) * 1000, payload: Array(buffer.prefix(Int(size)))))
        }
    }

    /// Writes `cue` into the output, shifted by `offset` microseconds (the video's start time).
    func write(_ cue: EncodedCue, offset: Int64, to output: OutputFile) throws(MediaError) {
        let packet = try Packet()
        try check(av_new_packet(packet.raw, Int32(cue.payload.count)), "allocating a subtitle packet")
        if let data = packet.raw.pointee.data, !cue.payload.isEmpty {
            cue.payload.withUnsafeBufferPointer { source in
                if let base = source.baseAddress { data.update(from: base, count: source.count) }
            }
        }
        packet.raw.pointee.pts = cue.start + offset
        packet.raw.pointee.dts = cue.start + offset
        packet.raw.pointee.duration = cue.duration
        packet.raw.pointee.flags |= AV_PKT_FLAG_KEY
        try output.write(packet, stream: outputStream, from: vf_time_base_q())
    }
}
