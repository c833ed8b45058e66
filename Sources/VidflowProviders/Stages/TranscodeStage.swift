import Foundation
import VidflowCore
import VidflowMedia

/// `ffmpeg.transcode`: re-encodes a video to H.264/yuv420p MP4 (+faststart, AAC audio) at a quality,
/// size and frame rate, and stores the result in the artifact store. After a download of several videos
/// (`files`), every one is transcoded, in order: `file` and its fields describe the first, `files` and
/// `videos` list them all.
public struct TranscodeStage: Stage {
    public init() {}

    public var typeName: String { "ffmpeg.transcode" }
    public var version: Int { 1 }
    public var schema: StageSchema {
        StageSchema(
            parameters: [
                ParameterSpec("input", .file, required: true, default: "${{ previous.outputs.file }}"),
                ParameterSpec("inputs", .array, default: "${{ previous.outputs.files }}",
                              description: "Every video to transcode; used when its first is input.", wiredWith: "inputs"),
                ParameterSpec("quality", .string, default: "medium", allowed: ["low", "medium", "high"]),
                ParameterSpec("width", .int, description: "Output width; keeps the aspect ratio when height is omitted."),
                ParameterSpec("height", .int, description: "Output height; keeps the aspect ratio when width is omitted."),
                ParameterSpec("fps", .int, default: 30),
            ],
            outputs: [
                OutputSpec("file", .file), OutputSpec("sha256", .string), OutputSpec("width", .int),
                OutputSpec("height", .int), OutputSpec("fps", .int), OutputSpec("duration", .number),
                OutputSpec("has_audio", .bool),
                OutputSpec("files", .array, description: "Every transcoded video, in order."),
                OutputSpec("videos", .array, description: "Each transcoded video's file, sha256, size and shape."),
            ]
        )
    }

    public func run(_ context: any StageContext) async throws -> StageResult {
        let first = try context.requireString("input")
        let listed = (context.parameters["inputs"]?.arrayValue ?? []).compactMap(\.stringValue)
        let inputs = try (listed.first == first ? listed : [first]).enumerated().map { index, text in
            try context.localFile(text, parameter: index == 0 ? "input" : "inputs[\(index)]")
        }
        let qualityText = context.string("quality") ?? "medium"
        guard let quality = TranscodeOptions.Quality(rawValue: qualityText) else {
            throw StageFailure(.invalidInput, "quality must be low, medium or high, got '\(qualityText)'")
        }
        let options = TranscodeOptions(quality: quality, width: context.int("width"), height: context.int("height"),
                                       fps: context.int("fps") ?? 30)
        var results: [(artifact: ArtifactRef, outputs: [String: JSONValue])] = []
        for (index, input) in inputs.enumerated() {
            // One after another: each transcode already uses the cores; progress covers the whole list.
            results.append(try await transcode(input, options: options, part: (index, inputs.count), context: context))
        }
        guard var outputs = results.first?.outputs else { throw StageFailure(.invalidInput, "parameter 'input' is required") }
        outputs["files"] = .array(results.map { .string($0.artifact.path) })
        outputs["videos"] = .array(results.map { .object($0.outputs) })
        return StageResult(outputs: outputs, artifacts: results.map(\.artifact))
    }

    private func transcode(_ input: String, options: TranscodeOptions, part: (index: Int, count: Int),
                           context: any StageContext) async throws -> (artifact: ArtifactRef, outputs: [String: JSONValue]) {
        let output = context.artifacts.scratchPath(extension: "mp4")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let progress = ProgressRelay(context)
        let result: TranscodeResult
        do {
            result = try await runBlocking { flag in
                try Transcoder.transcode(input: input, output: output, options: options,
                                         progress: { progress.report((Double(part.index) + $0) / Double(part.count)) },
                                         isCancelled: { flag.isCancelled })
            }
        } catch {
            throw StageFailure.media(error, "transcoding \(input)")
        }
        if part.index == part.count - 1 { await progress.finish() }
        let artifact = try context.artifacts.importFile(at: output, mime: "video/mp4", move: true)
        return (artifact, [
            "file": .string(artifact.path), "sha256": .string(artifact.sha256),
            "width": .int(result.width), "height": .int(result.height), "fps": .int(result.fps),
            "duration": .double(result.duration), "has_audio": .bool(result.hasAudio),
        ])
    }
}
