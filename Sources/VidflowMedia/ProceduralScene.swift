import CFFmpeg
import Foundation

/// A seeded plasma-and-blobs animation with the prompt drawn on top; colours and motion come from the seed.
final class ProceduralScene: RenderScene {
    /// The animation is computed at 1/4 resolution (it is smooth) and upscaled by one sws pass per frame.
    private let low: Frame
    private let scaler: Scaler
    private let prompt: String
    private let fps: Double
    private let palette: [(a: Double, b: Double, c: Double, d: Double)]
    private let waves: [(fx: Double, fy: Double, speed: Double, phase: Double)]
    private let blobs: [(cx: Double, cy: Double, rx: Double, ry: Double, speed: Double, phase: Double, radius: Double)]

    init(width: Int, height: Int, fps: Int, seed: UInt64, prompt: String) throws(MediaError) {
        let lowWidth = max(8, (width + 3) / 4), lowHeight = max(8, (height + 3) / 4)
        low = try Frame(width: lowWidth, height: lowHeight, pixelFormat: AV_PIX_FMT_RGB24)
        scaler = try Scaler(sourceWidth: lowWidth, sourceHeight: lowHeight, sourceFormat: AV_PIX_FMT_RGB24,
                            width: width, height: height, format: AV_PIX_FMT_YUV420P, flags: SWS_BILINEAR)
        self.prompt = prompt
        self.fps = Double(fps)
        var random = SplitMix64(seed: seed)
        palette = (0..<3).map { _ in
            (random.value(in: 0.35...0.6), random.value(in: 0.3...0.5), random.value(in: 0.5...1.5), random.unit())
        }
        waves = (0..<3).map { _ in
            (random.value(in: -6...6), random.value(in: -6...6), random.value(in: 0.4...1.6), random.value(in: 0...(2 * .pi)))
        }
        blobs = (0..<Int(3 + random.next() % 3)).map { _ in
            (random.value(in: 0.3...0.7), random.value(in: 0.3...0.7), random.value(in: 0.15...0.4), random.value(in: 0.15...0.4),
             random.value(in: 0.3...1.2) * (random.next() % 2 == 0 ? 1 : -1), random.value(in: 0...(2 * .pi)),
             random.value(in: 0.08...0.18))
        }
    }

    func draw(index: Int, count: Int, into frame: Frame) throws(MediaError) {
        let time = Double(index) / fps
        try low.makeWritable()
        let aspect = Double(low.width) / Double(low.height)
        let centres = blobs.map { blob in
            ((blob.cx + blob.rx * cos(time * blob.speed + blob.phase)) * aspect,
             blob.cy + blob.ry * sin(time * blob.speed * 1.3 + blob.phase), blob.radius * blob.radius)
        }
        let width = low.width, height = low.height
        // sin(a + b) = sin a cos b + cos a sin b: per-column and per-row tables replace per-pixel sines.
        let columns = waves.map { wave in (0..<width).map { x in Double(x) / Double(height) * wave.fx } }
        let rows = waves.map { wave in (0..<height).map { y in Double(y) / Double(height) * wave.fy + time * wave.speed + wave.phase } }
        let columnSin = columns.map { $0.map(sin) }, columnCos = columns.map { $0.map(cos) }
        let rowSin = rows.map { $0.map(sin) }, rowCos = rows.map { $0.map(cos) }
        // Palette lookup over the wave sum's range [-3, 3].
        let steps = 1024
        let lut: [[Double]] = (0..<3).map { channel in
            let p = palette[channel]
            return (0...steps).map { i in
                let shade = (Double(i) / Double(steps) * 6 - 3) / 6 + 0.5 + time * 0.05
                return p.a + p.b * cos(2 * .pi * (p.c * shade + p.d))
            }
        }
        _ = low.withPackedPlane { plane in
            for y in 0..<height {
                let v = Double(y) / Double(height)
                let row = plane.row(y)
                for x in 0..<width {
                    let u = Double(x) / Double(height)
                    var value = 0.0
                    for w in 0..<waves.count {
                        value += columnSin[w][x] * rowCos[w][y] + columnCos[w][x] * rowSin[w][y]
                    }
                    var glow = 0.0
                    for centre in centres {
                        let dx = u - centre.0, dy = v - centre.1
                        glow += centre.2 / (dx * dx + dy * dy + centre.2 * 0.5)
                    }
                    let index = max(0, min(steps, Int(((value + 3) / 6 * Double(steps)).rounded())))
                    let light = 0.25 * min(glow, 2.5)
                    for channel in 0..<3 {
                        row[x * 3 + channel] = UInt8(max(0, min(255, (lut[channel][index] + light) * 255)))
                    }
                }
            }
        }
        try scaler.scale(low, into: frame)
        if !prompt.isEmpty {
            BitmapFont.draw(prompt, on: frame)
        }
    }
}
