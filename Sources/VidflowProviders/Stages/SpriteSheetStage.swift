import Foundation
import VidflowCore
import VidflowMedia

/// `ffmpeg.spritesheet`: a grid of evenly spaced frames of a video as one JPEG, for scrubbing previews.
public struct SpriteSheetStage: Stage {
    public init() {}

    public var typeName: String { "ffmpeg.spritesheet" }
    public var version: Int { 1 }
    public var schema: StageSchema {
        StageSchema(
            parameters: [
                ParameterSpec("input", .file, required: true, default: "${{ previous.outputs.file }}"),
                ParameterSpec("columns", .int, default: 5, description: "Tiles per row, 1–20."),
                ParameterSpec("rows", .int, default: 5, description: "Rows of tiles, 1–20."),
                ParameterSpec("tile_width", .int, default: 256, description: "Tile width in pixels, 16–1920 (rounded down to even)."),
                ParameterSpec("tile_height", .int, description: "Tile height; from the video's aspect ratio when omitted."),
                ParameterSpec("quality", .int, default: 80, description: "JPEG quality 1–100."),
            ],
            outputs: [
                OutputSpec("file", .file), OutputSpec("sha256", .string), OutputSpec("width", .int), OutputSpec("height", .int),
                OutputSpec("columns", .int), OutputSpec("rows", .int),
                OutputSpec("frame_times", .array, description: "Seconds into the video of each tile, row by row."),
            ]
        )
    }

    /// Writes the default sheet (5×5 tiles 256 px wide) of `input` to `output`, off the cooperative pool; a media
    /// failure comes back as a `StageFailure` (`invalidInput` when the video cannot be read).
    public static func makeDefaultSheet(input: String, output: String) async throws {
        do {
            _ = try await runBlocking { flag in
                try SpriteSheet.make(input: input, output: output, isCancelled: { flag.isCancelled })
            }
        } catch {
            throw StageFailure.media(error, "making a sprite sheet")
        }
    }

    public func run(_ context: any StageContext) async throws -> StageResult {
        let input = try context.localFile(try context.requireString("input"), parameter: "input")
        let defaults = SpriteSheetOptions()
        let options = SpriteSheetOptions(columns: context.int("columns") ?? defaults.columns, rows: context.int("rows") ?? defaults.rows,
                                         tileWidth: context.int("tile_width") ?? defaults.tileWidth,
                                         tileHeight: context.int("tile_height"), quality: context.int("quality") ?? defaults.quality)
        let output = context.artifacts.scratchPath(extension: "jpg")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let sheet: SpriteSheetResult
        do {
            sheet = try await runBlocking { flag in
                try SpriteSheet.make(input: input, output: output, options: options, isCancelled: { flag.isCancelled })
            }
        } catch {
            throw StageFailure.media(error, "making a sprite sheet of \(input)")
        }
        let artifact = try context.artifacts.importFile(at: output, mime: "image/jpeg", move: true)
        return StageResult(outputs: [
            "file": .string(artifact.path), "sha256": .string(artifact.sha256),
            "width": .int(sheet.width), "height": .int(sheet.height),
            "columns": .int(sheet.columns), "rows": .int(sheet.rows),
            "frame_times": .array(sheet.frameTimes.map { .double($0) }),
        ], artifacts: [artifact])
    }
}
