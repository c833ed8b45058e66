import CFFmpeg

/// Owns one `AVPacket` and frees it with `av_packet_free`.
final class Packet {
    let raw: UnsafeMutablePointer<AVPacket>

    init() throws(MediaError) {
        guard let packet = av_packet_alloc() else {
            throw MediaError.ffmpeg(operation: "allocating a packet", code: AVCode.noMemory, message: ffmpegMessage(AVCode.noMemory))
        }
        raw = packet
    }

    deinit {
        var packet: UnsafeMutablePointer<AVPacket>? = raw
        av_packet_free(&packet)
    }

    var streamIndex: Int32 { raw.pointee.stream_index }

    /// Drops the payload so the packet can be reused.
    func unref() {
        av_packet_unref(raw)
    }

    /// The payload bytes (copied).
    var bytes: [UInt8] {
        guard let data = raw.pointee.data, raw.pointee.size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: Int(raw.pointee.size)))
    }
}
