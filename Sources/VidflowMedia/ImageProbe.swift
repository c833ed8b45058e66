import CFFmpeg

/// What `ImageProbe` learned about a still image.
public struct ImageInfo: Sendable, Codable, Equatable {
    public var width: Int
    public var height: Int
    /// FFmpeg's codec name, e.g. "png", "mjpeg", "webp".
    public var codec: String
    /// The MIME type for the codec, e.g. "image/png".
    public var mime: String

    public init(width: Int, height: Int, codec: String, mime: String) {
        self.width = width
        self.height = height
        self.codec = codec
        self.mime = mime
    }
}

/// Checks that a file is a real, decodable still image of sane size.
public enum ImageProbe {
    /// Image codecs accepted, with their MIME types.
    static let mimeTypes: [String: String] = [
        "png": "image/png", "apng": "image/apng", "mjpeg": "image/jpeg", "jpegls": "image/jpeg",
        "webp": "image/webp", "gif": "image/gif", "bmp": "image/bmp", "tiff": "image/tiff",
        "jpeg2000": "image/jp2", "qoi": "image/qoi", "ppm": "image/x-portable-pixmap",
        "pgm": "image/x-portable-graymap", "pam": "image/x-portable-anymap",
    ]

    /// Decodes the first picture of `path`; throws `MediaError` for non-images and bad dimensions.
    public static func inspect(path: String) throws -> ImageInfo {
        let input = try InputFile(path: path)
        guard let index = input.bestStream(AVMEDIA_TYPE_VIDEO), let stream = input.stream(index),
              let par = stream.pointee.codecpar else {
            throw MediaError.notAnImage(path: path, reason: "no picture found (\(input.formatName))")
        }
        let codec = codecName(par)
        guard let mime = mimeTypes[codec] else {
            throw MediaError.notAnImage(path: path, reason: "codec \(codec) is not a still-image format")
        }
        let declaredWidth = Int(par.pointee.width), declaredHeight = Int(par.pointee.height)
        if declaredWidth != 0 || declaredHeight != 0 {
            try validateDimensions(width: declaredWidth, height: declaredHeight)
        }
        let reader = try VideoFrameReader(input: input, streamIndex: index, threads: 1)
        let frame = try Frame()
        guard try reader.next(into: frame) else {
            throw MediaError.decodeFailed(path: path, reason: "the \(codec) image could not be decoded")
        }
        try validateDimensions(width: frame.width, height: frame.height)
        return ImageInfo(width: frame.width, height: frame.height, codec: codec, mime: mime)
    }
}
