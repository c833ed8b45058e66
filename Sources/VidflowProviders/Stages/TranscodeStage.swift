import Foundation
import VidflowCore
import VidflowMedia

/// `ffmpeg.transcode`: re-encodes a video to H.264/yuv420p MP4 (+faststart, AAC audio) at a quality,
/// size and frame rate, and stores the result in the artifact store.
public struct TranscodeStage: Stage {
    public init() {}

    public var typeName: String { "ffmpeg.transcode" }
    public var version: Int { 1 }
    public var schema: StageSchema {
        StageSchema(
            parameters: [
                ParameterSpec("input", .file, required: true, default: "${{ previous.outputs.file }}"),
                ParameterSpec("quality", .string, default: "medium", allowed: ["low", "medium", "high"]),
                ParameterSpec("width", .int, description: "Output width; keeps the aspect ratio when height is omitted."),
                ParameterSpec("height", .int, description: "Output height; keeps the aspect ratio when width is omitted."),
                ParameterSpec("fps", .int, default: 30),
            ],
            outputs: [
                OutputSpec("file", .file), OutputSpec("sha256", .string), OutputSpec("width", .int),
                OutputSpec("height", .int), OutputSpec("fps", .int), OutputSpec("duration", .number),
                OutputSpec("has_audio", .bool),
            ]
        )
    }

    public func run(_ context: any StageContext) async throws -> StageResult {
        let input = try context.localFile(try context.requireString("input"), parameter: "input")
        let qualityText = context.string("quality") ?? "medium"
        guard let quality = TranscodeOptions.Quality(rawValue: qualityText) else {
            throw StageFailure(.invalidInput, "quality must be low, medium or high, got '\(qualityText)'")
        }
        let options = TranscodeOptions(quality: quality, width: context.int("width"), height: context.int("height"),
                                       fps: context.int("fps") ?? 30)
        let output = context.artifacts.scratchPath(extension: "mp4")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let progress = ProgressRelay(context)
        let result: TranscodeResult
        do {
            result = try await runBlocking { flag in
                try Transcoder.transcode(input: input, output: output, options: options,
                                         progress: { progress.report($0) }, isCancelled: { flag.isCancelled })
            }
        } catch {
            throw StageFailure.media(error, "transcoding \(input)")
        }
        await progress.finish()
        let artifact = try context.artifacts.importFile(at: output, mime: "video/mp4", move: true)
        return StageResult(outputs: [
            "file": .string(artifact.path), "sha256": .string(artifact.sha256),
            "width": .int(result.width), "height": .int(result.height), "fps": .int(result.fps),
            "duration": .double(result.duration), "has_audio": .bool(result.hasAudio),
        ], artifacts: [artifact])
    }
}
