import CFFmpeg

/// Owns one `AVCodecContext` (decoder or encoder) and frees it with `avcodec_free_context`.
final class CodecContext {
    let raw: UnsafeMutablePointer<AVCodecContext>

    private init(codec: UnsafePointer<AVCodec>, what: String) throws(MediaError) {
        guard let context = avcodec_alloc_context3(codec) else {
            throw MediaError.ffmpeg(operation: "allocating \(what)", code: AVCode.noMemory, message: ffmpegMessage(AVCode.noMemory))
        }
        raw = context
    }

    deinit {
        var context: UnsafeMutablePointer<AVCodecContext>? = raw
        avcodec_free_context(&context)
    }

    /// Opens a decoder for `stream`, using FFmpeg's automatic thread count.
    static func decoder(for stream: UnsafeMutablePointer<AVStream>, path: String, threads: Int32 = 0) throws(MediaError) -> CodecContext {
        guard let parameters = stream.pointee.codecpar else {
            throw MediaError.decodeFailed(path: path, reason: "stream has no codec parameters")
        }
        guard let codec = avcodec_find_decoder(parameters.pointee.codec_id) else {
            throw MediaError.unsupportedCodec(path: path, codec: codecName(parameters))
        }
        let context = try CodecContext(codec: codec, what: "a decoder")
        try check(avcodec_parameters_to_context(context.raw, parameters), "copying codec parameters")
        context.raw.pointee.pkt_timebase = stream.pointee.time_base
        context.raw.pointee.thread_count = threads
        let code = avcodec_open2(context.raw, codec, nil)
        if code < 0 {
            throw MediaError.decodeFailed(path: path, reason: "opening \(codecName(parameters)) decoder: \(ffmpegMessage(code))")
        }
        return context
    }

    /// Allocates an encoder by name; the caller sets fields, then calls `open`.
    static func encoder(named name: String) throws(MediaError) -> CodecContext {
        guard let codec = avcodec_find_encoder_by_name(name) else {
            throw MediaError.unsupportedCodec(path: "(encoder)", codec: name)
        }
        return try CodecContext(codec: codec, what: "the \(name) encoder")
    }

    /// Opens an encoder allocated with `encoder(named:)`, passing private options such as `crf`.
    func open(options: [(String, String)] = []) throws(MediaError) {
        var dictionary: OpaquePointer? = nil
        defer { av_dict_free(&dictionary) }
        for (key, value) in options {
            av_dict_set(&dictionary, key, value, 0)
        }
        let name = String(cString: raw.pointee.codec.pointee.name)
        try check(avcodec_open2(raw, raw.pointee.codec, &dictionary), "opening the \(name) encoder")
    }

    /// Sends a packet to a decoder (nil starts draining); invalid data is reported, not fatal to the process.
    func send(packet: Packet?) throws(MediaError) {
        let code = avcodec_send_packet(raw, packet?.raw)
        if code == AVCode.eof || code == AVCode.again { return }
        try check(code, "sending a packet to the decoder")
    }

    /// Receives a decoded frame; false when the decoder needs more input or is drained.
    func receive(frame: Frame) throws(MediaError) -> Bool {
        let code = avcodec_receive_frame(raw, frame.raw)
        if code == AVCode.again || code == AVCode.eof { return false }
        try check(code, "decoding a frame")
        return true
    }

    /// Sends a frame to an encoder (nil flushes it).
    func send(frame: Frame?) throws(MediaError) {
        let code = avcodec_send_frame(raw, frame?.raw)
        if code == AVCode.eof { return }
        try check(code, "sending a frame to the encoder")
    }

    /// Receives an encoded packet; false when the encoder needs more input or is drained.
    func receive(packet: Packet) throws(MediaError) -> Bool {
        let code = avcodec_receive_packet(raw, packet.raw)
        if code == AVCode.again || code == AVCode.eof { return false }
        try check(code, "encoding")
        return true
    }

    /// Drops buffered frames after a seek.
    func flushBuffers() {
        avcodec_flush_buffers(raw)
    }
}

/// A readable codec name for error messages, including the FourCC when FFmpeg does not know the codec.
func codecName(_ parameters: UnsafeMutablePointer<AVCodecParameters>) -> String {
    let name = String(cString: avcodec_get_name(parameters.pointee.codec_id))
    let tag = parameters.pointee.codec_tag
    guard parameters.pointee.codec_id == AV_CODEC_ID_NONE, tag != 0 else { return name }
    let chars = (0..<4).map { UInt8(truncatingIfNeeded: tag >> (8 * UInt32($0))) }
    let printable = chars.allSatisfy { $0 >= 32 && $0 < 127 }
    return printable ? String(decoding: chars, as: UTF8.self) : name
}
