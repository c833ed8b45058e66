import CFFmpeg

/// An opened libx264 encoder (yuv420p, constant frame rate) writing its packets into an `OutputFile`.
final class H264Encoder {
    let codec: CodecContext
    let output: OutputFile
    let streamIndex: Int32
    let width: Int
    let height: Int
    let fps: Int
    private let packet: Packet
    private(set) var framesSent = 0

    /// `threads` 0 lets x264 pick (as the ffmpeg CLI does). `reproducible` makes the bitstream a pure function of the
    /// frames: slice threads instead of frame threads, and no macroblock-tree rate control, whose SIMD code gave
    /// different output for identical input within one long-running process (libx264 0.164 on AVX-512).
    init(output: OutputFile, width: Int, height: Int, fps: Int, crf: Int, preset: String,
         threads: Int32 = 0, reproducible: Bool = false) throws(MediaError) {
        try validateDimensions(width: width, height: height)
        guard width % 2 == 0, height % 2 == 0 else {
            throw MediaError.invalidDimensions(width: width, height: height, reason: "H.264 yuv420p needs even dimensions")
        }
        guard (0...51).contains(crf) else { throw MediaError.invalidOptions("crf must be 0...51, got \(crf)") }
        codec = try CodecContext.encoder(named: "libx264")
        let context = codec.raw
        context.pointee.width = Int32(width)
        context.pointee.height = Int32(height)
        context.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        context.pointee.time_base = AVRational(num: 1, den: Int32(fps))
        context.pointee.framerate = AVRational(num: Int32(fps), den: 1)
        context.pointee.sample_aspect_ratio = AVRational(num: 1, den: 1)
        context.pointee.thread_count = threads
        var options = [("preset", preset), ("crf", String(crf))]
        if reproducible {
            context.pointee.thread_type = FF_THREAD_SLICE
            options.append(("x264-params", "mbtree=0"))
        }
        if output.wantsGlobalHeader {
            context.pointee.flags |= Int32(AV_CODEC_FLAG_GLOBAL_HEADER)
        }
        try codec.open(options: options)
        self.output = output
        self.streamIndex = try output.addStream(encoder: codec)
        self.width = width
        self.height = height
        self.fps = fps
        self.packet = try Packet()
    }

    /// A blank yuv420p frame of the encoder's size, for callers to draw into.
    func makeFrame() throws(MediaError) -> Frame {
        try Frame(width: width, height: height, pixelFormat: AV_PIX_FMT_YUV420P)
    }

    /// Encodes `frame` as output frame number `index` (its pts in 1/fps units) and writes any ready packets.
    func encode(_ frame: Frame, index: Int) throws(MediaError) {
        frame.pts = Int64(index)
        try codec.send(frame: frame)
        framesSent += 1
        try drain()
    }

    /// Flushes the encoder's delayed frames into the file.
    func finish() throws(MediaError) {
        try codec.send(frame: nil)
        try drain()
    }

    private func drain() throws(MediaError) {
        while try codec.receive(packet: packet) {
            if packet.raw.pointee.duration <= 0 { packet.raw.pointee.duration = 1 }
            try output.write(packet, stream: streamIndex, from: codec.raw.pointee.time_base)
            packet.unref()
        }
    }
}
