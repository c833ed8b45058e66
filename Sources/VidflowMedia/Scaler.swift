import CFFmpeg

/// Owns one `SwsContext` (scale + pixel-format conversion) and frees it with `sws_freeContext`.
final class Scaler {
    private let raw: OpaquePointer
    let sourceWidth: Int
    let sourceHeight: Int
    let sourceFormat: AVPixelFormat
    let width: Int
    let height: Int
    let format: AVPixelFormat

    init(sourceWidth: Int, sourceHeight: Int, sourceFormat: AVPixelFormat,
         width: Int, height: Int, format: AVPixelFormat, flags: Int32 = SWS_BICUBIC) throws(MediaError) {
        guard sws_isSupportedInput(sourceFormat) != 0 else {
            throw MediaError.unsupportedCodec(path: "(scaler)", codec: "pixel format \(pixelFormatName(sourceFormat))")
        }
        guard let context = sws_getContext(Int32(sourceWidth), Int32(sourceHeight), sourceFormat,
                                           Int32(width), Int32(height), format, flags, nil, nil, nil) else {
            throw MediaError.invalidDimensions(width: width, height: height,
                                               reason: "cannot scale \(sourceWidth)x\(sourceHeight) \(pixelFormatName(sourceFormat)) to it")
        }
        raw = context
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.sourceFormat = sourceFormat
        self.width = width
        self.height = height
        self.format = format
    }

    deinit {
        sws_freeContext(raw)
    }

    /// Whether this scaler takes frames shaped like `frame` as input.
    func accepts(_ frame: Frame) -> Bool {
        frame.width == sourceWidth && frame.height == sourceHeight && frame.pixelFormat == sourceFormat
    }

    /// Returns `existing` when it still fits `frame`, otherwise a new scaler to the same output.
    static func reusing(_ existing: Scaler?, for frame: Frame, width: Int, height: Int,
                        format: AVPixelFormat, flags: Int32 = SWS_BICUBIC) throws(MediaError) -> Scaler {
        if let existing, existing.accepts(frame), existing.width == width, existing.height == height {
            return existing
        }
        return try Scaler(sourceWidth: frame.width, sourceHeight: frame.height, sourceFormat: frame.pixelFormat,
                          width: width, height: height, format: format, flags: flags)
    }

    /// Scales all of `source` into `destination`, its top-left corner at (x, y);
    /// offsets are only supported for 4:2:0 planar destinations and must be even.
    func scale(_ source: Frame, into destination: Frame, x: Int = 0, y: Int = 0) throws(MediaError) {
        guard accepts(source) else {
            throw MediaError.invalidDimensions(width: source.width, height: source.height, reason: "frame does not match the scaler input")
        }
        try destination.makeWritable()
        let sources = source.planePointers.map { UnsafePointer<UInt8>($0) }
        let sourceStrides = source.lineSizes
        var targets = destination.planePointers
        let targetStrides = destination.lineSizes
        if x != 0 || y != 0 {
            guard x % 2 == 0, y % 2 == 0, x + width <= destination.width, y + height <= destination.height else {
                throw MediaError.invalidDimensions(width: width, height: height, reason: "placement outside the destination")
            }
            targets[0] = targets[0].map { $0 + x + y * Int(targetStrides[0]) }
            for plane in 1...2 {
                targets[plane] = targets[plane].map { $0 + x / 2 + (y / 2) * Int(targetStrides[plane]) }
            }
        }
        let rows = sws_scale(raw, sources, sourceStrides, 0, Int32(sourceHeight), targets, targetStrides)
        try check(rows, "scaling a frame")
    }
}

/// FFmpeg's short name for a pixel format.
func pixelFormatName(_ format: AVPixelFormat) -> String {
    guard let name = av_get_pix_fmt_name(format) else { return "none" }
    return String(cString: name)
}
