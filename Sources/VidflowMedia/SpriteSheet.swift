import CFFmpeg
import Foundation

/// Lays evenly spaced frames of a video out in a grid and writes it as one JPEG (a "sprite sheet" for scrubbing
/// previews). Memory stays bounded: one decoded frame, one spare, and the sheet itself.
public enum SpriteSheet {
    /// The largest sheet side, to keep the one in-memory canvas small.
    public static let maxSide = 8192

    /// Writes the sheet of `input` to `output`; `isCancelled` is checked between frames.
    public static func make(input: String, output: String, options: SpriteSheetOptions = SpriteSheetOptions(),
                            isCancelled: @Sendable () -> Bool = { false }) throws -> SpriteSheetResult {
        try options.validate()
        let source = try InputFile(path: input)
        guard let index = source.bestStream(AVMEDIA_TYPE_VIDEO), let par = source.stream(index)?.pointee.codecpar else {
            throw MediaError.noVideoStream(path: input)
        }
        try validateDimensions(width: Int(par.pointee.width), height: Int(par.pointee.height))
        let reader = try VideoFrameReader(input: source, streamIndex: index)
        let tile = options.tileSize(sourceWidth: Int(par.pointee.width), sourceHeight: Int(par.pointee.height))
        let width = tile.width * options.columns, height = tile.height * options.rows
        guard width <= maxSide, height <= maxSide else {
            throw MediaError.invalidDimensions(width: width, height: height, reason: "a sprite sheet side may be at most \(maxSide)")
        }
        let times = frameTimes(count: options.tileCount, duration: duration(of: reader))
        let sheet = try Frame(width: width, height: height, pixelFormat: AV_PIX_FMT_YUVJ420P)
        sheet.fillBlack(fullRange: true)
        let cursor = try ForwardFrameCursor(reader: reader)
        var scaler: Scaler?
        for (position, time) in times.enumerated() {
            if isCancelled() { throw MediaError.cancelled }
            let picture = try cursor.frame(at: time)
            try validateDimensions(width: picture.width, height: picture.height)
            let place = fitPlacement(sourceWidth: picture.width, sourceHeight: picture.height, width: tile.width, height: tile.height)
            let current = try Scaler.reusing(scaler, for: picture, width: place.width, height: place.height, format: AV_PIX_FMT_YUVJ420P)
            scaler = current
            let x = (position % options.columns) * tile.width + place.x
            let y = (position / options.columns) * tile.height + place.y
            try current.scale(picture, into: sheet, x: x & ~1, y: y & ~1)
        }
        if isCancelled() { throw MediaError.cancelled }
        let jpeg = try Thumbnailer.encodeJPEG(sheet, qscale: options.qscale)
        try TemporaryOutput.write(jpeg, to: output)
        return SpriteSheetResult(width: width, height: height, tileWidth: tile.width, tileHeight: tile.height,
                                 columns: options.columns, rows: options.rows, frameTimes: times)
    }

    /// The centres of `count` equal slices of `duration`, so the first and last tiles avoid fades at the ends.
    static func frameTimes(count: Int, duration: Double) -> [Double] {
        (0..<count).map { index in
            let time = duration * (Double(index) + 0.5) / Double(count)
            return (time * 1000).rounded() / 1000
        }
    }

    /// The video stream's duration, else the container's, else frames ÷ rate; 0 when none is known.
    static func duration(of reader: VideoFrameReader) -> Double {
        let stream = reader.stream.pointee
        if stream.duration != AVCode.noPTS, stream.duration > 0 {
            return Double(stream.duration) * av_q2d(stream.time_base)
        }
        if reader.input.duration > 0 { return reader.input.duration }
        let rate = MediaProbe.frameRate(of: reader.stream)
        return stream.nb_frames > 0 && rate > 0 ? Double(stream.nb_frames) / rate : 0
    }
}
