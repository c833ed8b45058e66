import CFFmpeg
import Foundation

/// Captures one video frame as a JPEG of a fixed size, letterboxed or cropped.
public enum Thumbnailer {
    /// Writes a JPEG of the frame at `options.at` (first frame when nil) to `output`; returns its size.
    public static func thumbnail(input: String, output: String, options: ThumbnailOptions) throws -> (width: Int, height: Int) {
        try options.validate()
        let source = try InputFile(path: input)
        guard let index = source.bestStream(AVMEDIA_TYPE_VIDEO), let par = source.stream(index)?.pointee.codecpar else {
            throw MediaError.noVideoStream(path: input)
        }
        try validateDimensions(width: Int(par.pointee.width), height: Int(par.pointee.height))
        let reader = try VideoFrameReader(input: source, streamIndex: index)
        let picture = try capture(reader, at: options.at)
        try validateDimensions(width: picture.width, height: picture.height)
        let canvas = try fitted(picture, options: options)
        let jpeg = try encodeJPEG(canvas, qscale: options.qscale)
        try TemporaryOutput.write(jpeg, to: output)
        return (options.width, options.height)
    }

    /// Decodes the frame shown at `seconds`: seeks to the keyframe before it, then decodes only up to it.
    static func capture(_ reader: VideoFrameReader, at seconds: Double?) throws(MediaError) -> Frame {
        let current = try Frame()
        guard let seconds, seconds > 0 else {
            guard try reader.next(into: current) else {
                throw MediaError.decodeFailed(path: reader.input.path, reason: "no video frame could be decoded")
            }
            return current
        }
        do {
            try reader.seek(toSeconds: seconds)
        } catch {
            // Unseekable input: decode from the start instead.
        }
        // Frames more than a second before the target are only needed as references.
        reader.skipNonReferenceBefore = seconds > 1 ? reader.timestamp(ofSeconds: seconds - 1) : nil
        let rate = MediaProbe.frameRate(of: reader.stream)
        let tolerance = rate > 0 ? 0.5 / rate : 0.001
        let previous = try Frame()
        var hasPrevious = false
        while try reader.next(into: current) {
            let time = current.bestEffortTimestamp.map { reader.seconds(of: $0) } ?? 0
            if time >= seconds - tolerance { return current }
            av_frame_unref(previous.raw)
            av_frame_move_ref(previous.raw, current.raw)
            hasPrevious = true
        }
        guard hasPrevious else {
            throw MediaError.decodeFailed(path: reader.input.path, reason: "no video frame could be decoded")
        }
        return previous
    }

    /// Scales `picture` into a black full-range yuvj420p canvas of the requested size.
    static func fitted(_ picture: Frame, options: ThumbnailOptions) throws(MediaError) -> Frame {
        let canvas = try Frame(width: options.width, height: options.height, pixelFormat: AV_PIX_FMT_YUVJ420P)
        canvas.fillBlack(fullRange: true)
        switch options.fit {
        case .letterbox:
            let place = fitPlacement(sourceWidth: picture.width, sourceHeight: picture.height, width: options.width, height: options.height)
            let scaler = try Scaler.reusing(nil, for: picture, width: place.width, height: place.height, format: AV_PIX_FMT_YUVJ420P)
            try scaler.scale(picture, into: canvas, x: place.x, y: place.y)
        case .crop:
            let scale = max(Double(options.width) / Double(picture.width), Double(options.height) / Double(picture.height))
            let coverWidth = max(options.width, Int((Double(picture.width) * scale).rounded()))
            let coverHeight = max(options.height, Int((Double(picture.height) * scale).rounded()))
            let cover = try Frame(width: coverWidth, height: coverHeight, pixelFormat: AV_PIX_FMT_YUVJ420P)
            let scaler = try Scaler.reusing(nil, for: picture, width: coverWidth, height: coverHeight, format: AV_PIX_FMT_YUVJ420P)
            try scaler.scale(picture, into: cover)
            copyCentre(of: cover, into: canvas)
        }
        return canvas
    }

    /// Copies the centre of a larger 4:2:0 frame into `canvas`.
    private static func copyCentre(of cover: Frame, into canvas: Frame) {
        let x = ((cover.width - canvas.width) / 2) & ~1
        let y = ((cover.height - canvas.height) / 2) & ~1
        _ = cover.withYUVPlanes { sy, su, sv in
            canvas.withYUVPlanes { dy, du, dv in
                for (source, target, dx, dy2) in [(sy, dy, x, y), (su, du, x / 2, y / 2), (sv, dv, x / 2, y / 2)] {
                    for row in 0..<target.height {
                        target.row(row).update(from: source.row(row + dy2) + dx, count: target.width)
                    }
                }
            }
        }
    }

    /// Encodes one yuvj420p frame with FFmpeg's mjpeg encoder at a fixed qscale.
    static func encodeJPEG(_ frame: Frame, qscale: Int) throws(MediaError) -> [UInt8] {
        let encoder = try CodecContext.encoder(named: "mjpeg")
        let context = encoder.raw
        context.pointee.width = Int32(frame.width)
        context.pointee.height = Int32(frame.height)
        context.pointee.pix_fmt = AV_PIX_FMT_YUVJ420P
        context.pointee.color_range = AVCOL_RANGE_JPEG
        context.pointee.time_base = AVRational(num: 1, den: 25)
        context.pointee.flags |= Int32(AV_CODEC_FLAG_QSCALE)
        context.pointee.global_quality = Int32(qscale) * FF_QP2LAMBDA
        try encoder.open()
        frame.raw.pointee.quality = Int32(qscale) * FF_QP2LAMBDA
        frame.pts = 0
        try encoder.send(frame: frame)
        try encoder.send(frame: nil)
        let packet = try Packet()
        var bytes: [UInt8] = []
        while try encoder.receive(packet: packet) {
            bytes += packet.bytes
            packet.unref()
        }
        guard !bytes.isEmpty else {
            throw MediaError.ffmpeg(operation: "encoding the JPEG", code: AVCode.invalidData, message: "encoder produced no data")
        }
        return bytes
    }
}
