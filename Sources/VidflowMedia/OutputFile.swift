import CFFmpeg
import Foundation

/// Owns one muxer (`AVFormatContext` for writing plus its `AVIOContext`; MP4 unless told otherwise), freeing both in `deinit`.
final class OutputFile {
    let raw: UnsafeMutablePointer<AVFormatContext>
    let path: String
    private var headerWritten = false
    private var finished = false

    /// Creates a muxer of `format` (an FFmpeg muxer name: `mp4`, `wav`, `webm`, …) writing to `path`
    /// (the caller picks a temporary path and renames it later).
    init(path: String, format: String = "mp4") throws(MediaError) {
        FFmpegRuntime.ensureConfigured()
        self.path = path
        var context: UnsafeMutablePointer<AVFormatContext>? = nil
        let url = "file:" + path
        let code = avformat_alloc_output_context2(&context, nil, format, url)
        guard code >= 0, let created = context else {
            throw MediaError.outputFailed(path: path, reason: ffmpegMessage(code))
        }
        raw = created
        let opened = avio_open(&raw.pointee.pb, url, AVIO_FLAG_WRITE)
        if opened < 0 {
            throw MediaError.outputFailed(path: path, reason: ffmpegMessage(opened))
        }
    }

    deinit {
        if raw.pointee.pb != nil {
            avio_closep(&raw.pointee.pb)
        }
        avformat_free_context(raw)
    }

    /// The muxer's name (`mp4`, `wav`, `webm`, …).
    var formatName: String {
        raw.pointee.oformat.map { String(cString: $0.pointee.name) } ?? "unknown"
    }

    /// Whether encoders must put codec headers in extradata (MP4 does).
    var wantsGlobalHeader: Bool {
        guard let format = raw.pointee.oformat else { return false }
        return format.pointee.flags & AVFMT_GLOBALHEADER != 0
    }

    /// Adds a stream described by an opened encoder; returns its index.
    func addStream(encoder: CodecContext) throws(MediaError) -> Int32 {
        guard let stream = avformat_new_stream(raw, nil) else {
            throw MediaError.outputFailed(path: path, reason: "cannot add a stream")
        }
        try check(avcodec_parameters_from_context(stream.pointee.codecpar, encoder.raw), "describing an output stream")
        stream.pointee.time_base = encoder.raw.pointee.time_base
        return stream.pointee.index
    }

    /// Adds a stream that copies `source`'s packets unchanged; returns its index.
    func addCopyStream(from source: UnsafeMutablePointer<AVStream>) throws(MediaError) -> Int32 {
        guard let stream = avformat_new_stream(raw, nil) else {
            throw MediaError.outputFailed(path: path, reason: "cannot add a stream")
        }
        try check(avcodec_parameters_copy(stream.pointee.codecpar, source.pointee.codecpar), "copying stream parameters")
        stream.pointee.codecpar.pointee.codec_tag = 0
        stream.pointee.time_base = source.pointee.time_base
        return stream.pointee.index
    }

    func timeBase(ofStream index: Int32) -> AVRational {
        raw.pointee.streams[Int(index)]?.pointee.time_base ?? AVRational(num: 1, den: 1)
    }

    /// Writes the header; for MP4-family muxers `+faststart` moves the moov atom before the media data at the end.
    func writeHeader() throws(MediaError) {
        var options: OpaquePointer? = nil
        defer { av_dict_free(&options) }
        let name = formatName
        if ["mp4", "mov", "ipod"].contains(name) {
            av_dict_set(&options, "movflags", "+faststart", 0)
        }
        try check(avformat_write_header(raw, &options), "writing the \(name) header of \(path)")
        headerWritten = true
    }

    /// Rescales `packet` from `sourceTimeBase` to the stream's time base and writes it interleaved.
    func write(_ packet: Packet, stream index: Int32, from sourceTimeBase: AVRational) throws(MediaError) {
        packet.raw.pointee.stream_index = index
        av_packet_rescale_ts(packet.raw, sourceTimeBase, timeBase(ofStream: index))
        packet.raw.pointee.pos = -1
        try check(av_interleaved_write_frame(raw, packet.raw), "writing a packet to \(path)")
    }

    /// Writes the trailer (and the faststart rewrite) and closes the file.
    func finish() throws(MediaError) {
        guard headerWritten, !finished else { return }
        finished = true
        try check(av_write_trailer(raw), "finishing \(path)")
        try check(avio_closep(&raw.pointee.pb), "closing \(path)")
    }
}

/// A temporary file next to `output` that is renamed over it on success and removed on failure.
struct TemporaryOutput {
    let path: String
    let output: String

    init(for output: String) throws(MediaError) {
        let url = URL(fileURLWithPath: output)
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MediaError.outputFailed(path: output, reason: "directory \(directory) does not exist")
        }
        self.output = url.path
        self.path = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).partial").path
    }

    /// Atomically moves the finished file into place.
    func commit() throws(MediaError) {
        if rename(path, output) != 0 {
            let reason = String(cString: strerror(errno))
            discard()
            throw MediaError.outputFailed(path: output, reason: reason)
        }
    }

    func discard() {
        unlink(path)
    }

    /// Runs `body` on a temporary path beside `output`, then moves the result into place; on any error the
    /// temporary file is removed, so `output` is either the whole result or untouched.
    static func produce<T>(_ output: String, _ body: (_ temporaryPath: String) throws -> T) throws -> T {
        let temporary = try TemporaryOutput(for: output)
        do {
            let result = try body(temporary.path)
            try temporary.commit()
            return result
        } catch {
            temporary.discard()
            throw error
        }
    }

    /// Writes `bytes` to `output` atomically (a JPEG, a sprite sheet).
    static func write(_ bytes: [UInt8], to output: String) throws(MediaError) {
        let temporary = try TemporaryOutput(for: output)
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: temporary.path))
        } catch {
            temporary.discard()
            throw MediaError.outputFailed(path: output, reason: error.localizedDescription)
        }
        try temporary.commit()
    }
}
