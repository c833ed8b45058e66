import CFFmpeg

/// The offline "local" video provider's renderer: Ken Burns over an image, or a seeded animation with the prompt.
public enum VideoRenderer {
    /// x264 slice-thread count, fixed so the same request gives the same bytes on any machine.
    static let encoderThreads: Int32 = 4

    /// Renders exactly `request.frameCount` frames to an H.264 (yuv420p) MP4 with +faststart at `output`.
    public static func render(_ request: RenderRequest, output: String,
                              progress: @Sendable (Double) -> Void = { _ in },
                              isCancelled: @Sendable () -> Bool = { false }) throws {
        try request.validate()
        try TemporaryOutput.produce(output) { path in
            try run(request, path: path, progress: progress, isCancelled: isCancelled)
        }
        progress(1)
    }

    private static func run(_ request: RenderRequest, path: String, progress: @Sendable (Double) -> Void,
                            isCancelled: @Sendable () -> Bool) throws(MediaError) {
        let scene: any RenderScene
        if let image = request.imagePath {
            scene = try KenBurnsScene(imagePath: image, width: request.width, height: request.height, seed: request.seed)
        } else {
            scene = try ProceduralScene(width: request.width, height: request.height, fps: request.fps,
                                        seed: request.seed, prompt: request.prompt)
        }
        let file = try OutputFile(path: path)
        let encoder = try H264Encoder(output: file, width: request.width, height: request.height, fps: request.fps,
                                      crf: request.crf, preset: "veryfast",
                                      threads: encoderThreads, reproducible: true)
        try file.writeHeader()
        let frame = try encoder.makeFrame()
        let count = request.frameCount
        for index in 0..<count {
            if isCancelled() { throw MediaError.cancelled }
            try scene.draw(index: index, count: count, into: frame)
            try encoder.encode(frame, index: index)
            progress(Double(index + 1) / Double(count) * 0.99)
        }
        try encoder.finish()
        try file.finish()
    }
}
