import CFFmpeg

/// Pulls decoded frames of one stream from an `InputFile`, ignoring the other streams.
final class VideoFrameReader {
    let input: InputFile
    let streamIndex: Int
    let stream: UnsafeMutablePointer<AVStream>
    let decoder: CodecContext
    private let packet: Packet
    private var inputDone = false
    /// Packets with a pts before this (stream time base) may skip non-reference frames: they cannot be the frame wanted.
    var skipNonReferenceBefore: Int64?

    init(input: InputFile, streamIndex: Int, threads: Int32 = 0) throws(MediaError) {
        guard let stream = input.stream(streamIndex) else { throw MediaError.noVideoStream(path: input.path) }
        self.input = input
        self.streamIndex = streamIndex
        self.stream = stream
        self.decoder = try CodecContext.decoder(for: stream, path: input.path, threads: threads)
        self.packet = try Packet()
    }

    var timeBase: AVRational { stream.pointee.time_base }

    /// Decodes the next frame into `frame`; false once the stream is fully drained.
    func next(into frame: Frame) throws(MediaError) -> Bool {
        frame.unref()
        while true {
            let code = avcodec_receive_frame(decoder.raw, frame.raw)
            if code >= 0 { return true }
            if code == AVCode.eof { return false }
            if code != AVCode.again && code != AVCode.invalidData {
                try check(code, "decoding \(input.path)")
            }
            if inputDone { return false }
            if try input.read(into: packet) {
                defer { packet.unref() }
                if Int(packet.streamIndex) == streamIndex {
                    let pts = packet.raw.pointee.pts
                    let skippable = skipNonReferenceBefore.map { pts != AVCode.noPTS && pts < $0 } ?? false
                    decoder.raw.pointee.skip_frame = skippable ? AVDISCARD_NONREF : AVDISCARD_DEFAULT
                    try sendTolerant()
                }
            } else {
                inputDone = true
                try decoder.send(packet: nil)
            }
        }
    }

    /// Repositions to the keyframe at or before `seconds` and drops buffered frames.
    func seek(toSeconds seconds: Double) throws(MediaError) {
        try input.seek(stream: streamIndex, to: timestamp(ofSeconds: seconds))
        decoder.flushBuffers()
        inputDone = false
    }

    /// The timestamp (stream time base) of `seconds` from the stream start.
    func timestamp(ofSeconds seconds: Double) -> Int64 {
        let tb = timeBase
        let start = stream.pointee.start_time == AVCode.noPTS ? 0 : stream.pointee.start_time
        return start + Int64((seconds * Double(tb.den) / Double(tb.num)).rounded(.down))
    }

    /// Seconds from the stream start for a timestamp in this stream's time base.
    func seconds(of timestamp: Int64) -> Double {
        let start = stream.pointee.start_time == AVCode.noPTS ? 0 : stream.pointee.start_time
        return Double(timestamp - start) * av_q2d(timeBase)
    }

    /// Corrupt packets are skipped (as the ffmpeg CLI does); only the absence of any frame is fatal.
    private func sendTolerant() throws(MediaError) {
        let code = avcodec_send_packet(decoder.raw, packet.raw)
        if code >= 0 || code == AVCode.again || code == AVCode.eof || code == AVCode.invalidData { return }
        if code == AVCode.noMemory {
            try check(code, "decoding \(input.path)")
        }
        // Other per-packet errors (e.g. ENOSYS for unsupported features) are skipped too.
    }
}
