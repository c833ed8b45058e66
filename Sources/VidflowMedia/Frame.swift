import CFFmpeg

/// One plane of a frame's pixels, valid only inside the closure that receives it.
struct Plane {
    let base: UnsafeMutablePointer<UInt8>
    let stride: Int
    let width: Int
    let height: Int

    func row(_ y: Int) -> UnsafeMutablePointer<UInt8> { base + y * stride }

    /// Sets every byte of the plane's visible area to `value`.
    func fill(_ value: UInt8) {
        for y in 0..<height { row(y).update(repeating: value, count: width) }
    }
}

/// Owns one `AVFrame` and frees it with `av_frame_free`.
final class Frame {
    let raw: UnsafeMutablePointer<AVFrame>

    init() throws(MediaError) {
        guard let frame = av_frame_alloc() else {
            throw MediaError.ffmpeg(operation: "allocating a frame", code: AVCode.noMemory, message: ffmpegMessage(AVCode.noMemory))
        }
        raw = frame
    }

    /// A frame with its own picture buffers of the given size and pixel format.
    convenience init(width: Int, height: Int, pixelFormat: AVPixelFormat) throws(MediaError) {
        try self.init()
        raw.pointee.width = Int32(width)
        raw.pointee.height = Int32(height)
        raw.pointee.format = pixelFormat.rawValue
        try check(av_frame_get_buffer(raw, 0), "allocating a \(width)x\(height) picture")
        clearBuffers()
    }

    /// Zeroes every byte of the frame's buffers, padding included, so nothing uninitialised can leak into output.
    func clearBuffers() {
        var buffers = raw.pointee.buf
        withUnsafeBytes(of: &buffers) { raw in
            for buffer in raw.bindMemory(to: UnsafeMutablePointer<AVBufferRef>?.self) {
                if let buffer, let data = buffer.pointee.data { data.update(repeating: 0, count: buffer.pointee.size) }
            }
        }
    }

    /// A frame with its own audio buffers.
    convenience init(samples: Int, format: AVSampleFormat, layout: UnsafePointer<AVChannelLayout>, sampleRate: Int32) throws(MediaError) {
        try self.init()
        raw.pointee.nb_samples = Int32(samples)
        raw.pointee.format = format.rawValue
        raw.pointee.sample_rate = sampleRate
        try check(av_channel_layout_copy(&raw.pointee.ch_layout, layout), "copying a channel layout")
        try check(av_frame_get_buffer(raw, 0), "allocating audio samples")
    }

    deinit {
        var frame: UnsafeMutablePointer<AVFrame>? = raw
        av_frame_free(&frame)
    }

    var width: Int { Int(raw.pointee.width) }
    var height: Int { Int(raw.pointee.height) }
    var pixelFormat: AVPixelFormat { AVPixelFormat(rawValue: raw.pointee.format) }

    /// Presentation time in stream time-base units, falling back to FFmpeg's best guess.
    var bestEffortTimestamp: Int64? {
        let ts = raw.pointee.best_effort_timestamp
        if ts != AVCode.noPTS { return ts }
        return raw.pointee.pts == AVCode.noPTS ? nil : raw.pointee.pts
    }

    var pts: Int64 {
        get { raw.pointee.pts }
        set { raw.pointee.pts = newValue }
    }

    func unref() {
        av_frame_unref(raw)
    }

    /// Makes sure the frame's buffers are not shared before writing into them.
    /// Unlike `av_frame_make_writable`, the replacement buffer is zeroed (padding included), since
    /// libx264 reads a little past the visible picture and would otherwise make output depend on heap contents.
    func makeWritable() throws(MediaError) {
        if av_frame_is_writable(raw) != 0 { return }
        let fresh = try Frame(width: width, height: height, pixelFormat: pixelFormat)
        try check(av_frame_copy(fresh.raw, raw), "copying a frame")
        try check(av_frame_copy_props(fresh.raw, raw), "copying frame properties")
        av_frame_unref(raw)
        av_frame_move_ref(raw, fresh.raw)
    }

    /// The data pointers (up to 4 planes) and their line sizes.
    var planePointers: [UnsafeMutablePointer<UInt8>?] {
        var data = raw.pointee.data
        return withUnsafeBytes(of: &data) { Array($0.bindMemory(to: UnsafeMutablePointer<UInt8>?.self).prefix(4)) }
    }

    var lineSizes: [Int32] {
        var sizes = raw.pointee.linesize
        return withUnsafeBytes(of: &sizes) { Array($0.bindMemory(to: Int32.self).prefix(4)) }
    }

    /// Runs `body` with the three planes of a 4:2:0 planar picture (Y, U, V).
    func withYUVPlanes<R>(_ body: (Plane, Plane, Plane) throws -> R) rethrows -> R? {
        let data = planePointers
        let sizes = lineSizes
        guard let y = data[0], let u = data[1], let v = data[2] else { return nil }
        let cw = (width + 1) / 2, ch = (height + 1) / 2
        return try body(
            Plane(base: y, stride: Int(sizes[0]), width: width, height: height),
            Plane(base: u, stride: Int(sizes[1]), width: cw, height: ch),
            Plane(base: v, stride: Int(sizes[2]), width: cw, height: ch))
    }

    /// Runs `body` with the single plane of a packed picture (e.g. RGB24).
    func withPackedPlane<R>(_ body: (Plane) throws -> R) rethrows -> R? {
        guard let base = planePointers[0] else { return nil }
        return try body(Plane(base: base, stride: Int(lineSizes[0]), width: width, height: height))
    }

    /// Paints a 4:2:0 picture black (`fullRange` picks JPEG levels).
    func fillBlack(fullRange: Bool) {
        _ = withYUVPlanes { y, u, v in
            y.fill(fullRange ? 0 : 16)
            u.fill(128)
            v.fill(128)
        }
    }
}
