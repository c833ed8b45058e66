import CFFmpeg
import Foundation

/// A smooth Ken Burns pan-and-zoom (1.0 → 1.15, eased) over a still image, direction chosen by the seed.
final class KenBurnsScene: RenderScene {
    static let maxZoom = 1.15
    private let base: Frame
    private let direction: (x: Double, y: Double)

    init(imagePath: String, width: Int, height: Int, seed: UInt64) throws(MediaError) {
        let input = try InputFile(path: imagePath)
        guard let index = input.bestStream(AVMEDIA_TYPE_VIDEO) else {
            throw MediaError.notAnImage(path: imagePath, reason: "no picture found (\(input.formatName))")
        }
        let reader = try VideoFrameReader(input: input, streamIndex: index)
        let picture = try Frame()
        guard try reader.next(into: picture) else {
            throw MediaError.decodeFailed(path: imagePath, reason: "the image could not be decoded")
        }
        try validateDimensions(width: picture.width, height: picture.height)
        // Pre-scale once so that the most zoomed-in window is still sampled at about 1:1.
        let cover = max(Double(width) / Double(picture.width), Double(height) / Double(picture.height)) * Self.maxZoom
        let baseWidth = max(evenRound(Double(width) * Self.maxZoom), evenRound(Double(picture.width) * cover))
        let baseHeight = max(evenRound(Double(height) * Self.maxZoom), evenRound(Double(picture.height) * cover))
        base = try Frame(width: baseWidth, height: baseHeight, pixelFormat: AV_PIX_FMT_YUV420P)
        let scaler = try Scaler.reusing(nil, for: picture, width: baseWidth, height: baseHeight, format: AV_PIX_FMT_YUV420P)
        try scaler.scale(picture, into: base)
        var random = SplitMix64(seed: seed)
        let angle = Double(random.next() % 8) * Double.pi / 4 + random.value(in: -0.3...0.3)
        direction = (cos(angle), sin(angle))
    }

    func draw(index: Int, count: Int, into frame: Frame) throws(MediaError) {
        let t = count > 1 ? Double(index) / Double(count - 1) : 0
        let eased = t * t * (3 - 2 * t)
        let zoom = 1 + (Self.maxZoom - 1) * eased
        let windowWidth = Double(frame.width) * Self.maxZoom / zoom
        let windowHeight = Double(frame.height) * Self.maxZoom / zoom
        let pan = 2 * eased - 1
        let left = (Double(base.width) - windowWidth) / 2 * (1 + direction.x * pan)
        let top = (Double(base.height) - windowHeight) / 2 * (1 + direction.y * pan)
        let step = windowWidth / Double(frame.width)
        let stepY = windowHeight / Double(frame.height)
        try frame.makeWritable()
        _ = base.withYUVPlanes { sy, su, sv in
            frame.withYUVPlanes { dy, du, dv in
                Self.resample(sy, into: dy, left: left, top: top, stepX: step, stepY: stepY)
                Self.resample(su, into: du, left: left / 2, top: top / 2, stepX: step, stepY: stepY)
                Self.resample(sv, into: dv, left: left / 2, top: top / 2, stepX: step, stepY: stepY)
            }
        }
    }

    /// Bilinear sampling of an axis-aligned window of `source` into all of `target` (8-bit fixed-point weights).
    private static func resample(_ source: Plane, into target: Plane, left: Double, top: Double, stepX: Double, stepY: Double) {
        let maxX = source.width - 1, maxY = source.height - 1
        var columns = [Int](repeating: 0, count: target.width)
        var weights = [Int](repeating: 0, count: target.width)
        for x in 0..<target.width {
            let sx = min(Double(maxX), max(0, left + (Double(x) + 0.5) * stepX - 0.5))
            let whole = min(maxX - 1, Int(sx))
            columns[x] = max(0, whole)
            weights[x] = maxX == 0 ? 0 : Int(((sx - Double(columns[x])) * 256).rounded())
        }
        columns.withUnsafeBufferPointer { cols in
            weights.withUnsafeBufferPointer { wts in
                for y in 0..<target.height {
                    let sy = min(Double(maxY), max(0, top + (Double(y) + 0.5) * stepY - 0.5))
                    let row0 = max(0, min(maxY - 1, Int(sy)))
                    let row1 = min(maxY, row0 + 1)
                    let wy = Int(((sy - Double(row0)) * 256).rounded())
                    let a = source.row(row0), b = source.row(row1), out = target.row(y)
                    for x in 0..<target.width {
                        let c = cols[x], c1 = min(maxX, c + 1), wx = wts[x]
                        let top = Int(a[c]) * (256 - wx) + Int(a[c1]) * wx
                        let bottom = Int(b[c]) * (256 - wx) + Int(b[c1]) * wx
                        out[x] = UInt8(truncatingIfNeeded: (top * (256 - wy) + bottom * wy + 32768) >> 16)
                    }
                }
            }
        }
    }
}
