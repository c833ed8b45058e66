import Foundation
import VidflowCore
import VidflowMedia

/// `ffmpeg.thumbnail`: captures one frame of a video as a JPEG of a fixed size, letterboxed or cropped.
public struct ThumbnailStage: Stage {
    public init() {}

    public var typeName: String { "ffmpeg.thumbnail" }
    public var version: Int { 1 }
    public var schema: StageSchema {
        StageSchema(
            parameters: [
                ParameterSpec("input", .file, required: true, default: "${{ previous.outputs.file }}"),
                ParameterSpec("width", .int, default: 1280),
                ParameterSpec("height", .int, default: 720),
                ParameterSpec("fit", .string, default: "letterbox", allowed: ["letterbox", "crop"]),
                ParameterSpec("quality", .int, default: 85, description: "JPEG quality 1–100."),
                ParameterSpec("at", .number, description: "Seconds into the video; the first frame when omitted."),
            ],
            outputs: [OutputSpec("file", .file), OutputSpec("sha256", .string), OutputSpec("width", .int), OutputSpec("height", .int)]
        )
    }

    public func run(_ context: any StageContext) async throws -> StageResult {
        let input = try context.localFile(try context.requireString("input"), parameter: "input")
        let fitText = context.string("fit") ?? "letterbox"
        guard let fit = ThumbnailOptions.Fit(rawValue: fitText) else {
            throw StageFailure(.invalidInput, "fit must be letterbox or crop, got '\(fitText)'")
        }
        let options = ThumbnailOptions(width: context.int("width") ?? 1280, height: context.int("height") ?? 720, fit: fit,
                                       quality: context.int("quality") ?? 85, at: context.double("at"))
        let output = context.artifacts.scratchPath(extension: "jpg")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let size: (width: Int, height: Int)
        do {
            size = try await runBlocking { _ in try Thumbnailer.thumbnail(input: input, output: output, options: options) }
        } catch {
            throw StageFailure.media(error, "thumbnailing \(input)")
        }
        let artifact = try context.artifacts.importFile(at: output, mime: "image/jpeg", move: true)
        return StageResult(outputs: [
            "file": .string(artifact.path), "sha256": .string(artifact.sha256),
            "width": .int(size.width), "height": .int(size.height),
        ], artifacts: [artifact])
    }
}
