import CFFmpeg
import Foundation

/// Owns one demuxer (`AVFormatContext` opened for reading) and closes it with `avformat_close_input`.
final class InputFile {
    let raw: UnsafeMutablePointer<AVFormatContext>
    let path: String

    /// Text-art demuxers that would happily "decode" any text file as video.
    private static let rejectedFormats: Set<String> = ["tty", "bin", "adf", "idf", "xbin", "ansi"]

    /// Opens `path` as a local file only (no network or nested protocols) and reads stream info.
    init(path: String) throws(MediaError) {
        FFmpegRuntime.ensureConfigured()
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw MediaError.fileNotFound(path: path)
        }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        if let size = attributes?[.size] as? NSNumber, size.int64Value == 0 {
            throw MediaError.emptyFile(path: path)
        }
        let url = "file:" + URL(fileURLWithPath: path).path
        var options: OpaquePointer? = nil
        defer { av_dict_free(&options) }
        av_dict_set(&options, "protocol_whitelist", "file", 0)
        var context: UnsafeMutablePointer<AVFormatContext>? = nil
        let code = avformat_open_input(&context, url, nil, &options)
        guard code >= 0, let opened = context else {
            throw MediaError.openFailed(path: path, reason: ffmpegMessage(code))
        }
        raw = opened
        if Self.rejectedFormats.contains(formatName) {
            throw MediaError.openFailed(path: path, reason: "not a media file (detected as \(formatName))")
        }
        let info = avformat_find_stream_info(raw, nil)
        if info < 0 {
            throw MediaError.openFailed(path: path, reason: ffmpegMessage(info))
        }
    }

    deinit {
        var context: UnsafeMutablePointer<AVFormatContext>? = raw
        avformat_close_input(&context)
    }

    var formatName: String {
        guard let format = raw.pointee.iformat, let name = format.pointee.name else { return "unknown" }
        return String(cString: name)
    }

    var streamCount: Int { Int(raw.pointee.nb_streams) }

    func stream(_ index: Int) -> UnsafeMutablePointer<AVStream>? {
        guard index >= 0, index < streamCount, let streams = raw.pointee.streams else { return nil }
        return streams[index]
    }

    /// The index of the best stream of `type`, skipping cover-art pictures for video.
    func bestStream(_ type: AVMediaType) -> Int? {
        let index = av_find_best_stream(raw, type, -1, -1, nil, 0)
        guard index >= 0, let stream = stream(Int(index)) else { return nil }
        if type == AVMEDIA_TYPE_VIDEO, stream.pointee.disposition & AV_DISPOSITION_ATTACHED_PIC != 0 {
            return (0..<streamCount).first { candidate in
                guard let s = self.stream(candidate), let par = s.pointee.codecpar else { return false }
                return par.pointee.codec_type == AVMEDIA_TYPE_VIDEO && s.pointee.disposition & AV_DISPOSITION_ATTACHED_PIC == 0
            } ?? Int(index)
        }
        return Int(index)
    }

    /// Reads the next packet; false at end of file. Read errors other than EOF are thrown.
    func read(into packet: Packet) throws(MediaError) -> Bool {
        let code = av_read_frame(raw, packet.raw)
        if code == AVCode.eof { return false }
        if code < 0 {
            // A truncated file often ends with an I/O error rather than a clean EOF.
            if raw.pointee.pb != nil, avio_feof(raw.pointee.pb) != 0 { return false }
            throw MediaError.ffmpeg(operation: "reading \(path)", code: code, message: ffmpegMessage(code))
        }
        return true
    }

    /// Seeks `stream` to the keyframe at or before `timestamp` (in the stream's time base).
    func seek(stream: Int, to timestamp: Int64) throws(MediaError) {
        try check(av_seek_frame(raw, Int32(stream), timestamp, AVSEEK_FLAG_BACKWARD), "seeking in \(path)")
    }

    /// Container duration in seconds, or 0 when unknown.
    var duration: Double {
        let value = raw.pointee.duration
        return value == AVCode.noPTS || value <= 0 ? 0 : Double(value) / Double(AV_TIME_BASE)
    }

    /// Container start time in seconds, or 0 when unknown.
    var startTime: Double {
        let value = raw.pointee.start_time
        return value == AVCode.noPTS ? 0 : Double(value) / Double(AV_TIME_BASE)
    }
}
