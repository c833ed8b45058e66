import Foundation
import VidflowCore
import VidflowMedia

/// `ffmpeg.mux_subtitles`: a copy of a video with an SRT or WebVTT file added as a soft subtitle track
/// (mov_text in MP4/MOV, WebVTT in WebM, SubRip in Matroska), video and audio stream-copied, not re-encoded.
public struct MuxSubtitlesStage: Stage {
    public init() {}

    public var typeName: String { "ffmpeg.mux_subtitles" }
    public var version: Int { 1 }
    public var schema: StageSchema {
        StageSchema(
            parameters: [
                ParameterSpec("input", .file, required: true, description: "The video (MP4, MOV, WebM or Matroska)."),
                ParameterSpec("subtitles", .file, required: true, default: "${{ previous.outputs.file }}",
                              description: "An SRT or WebVTT file."),
                ParameterSpec("language", .string,
                              description: "The track's language: ISO 639-2 (`zho`, `eng`); ISO 639-1 (`zh`) is mapped."),
            ],
            outputs: [
                OutputSpec("file", .file), OutputSpec("sha256", .string),
                OutputSpec("subtitle_codec", .string, description: "mov_text, webvtt or subrip."),
            ]
        )
    }

    public func run(_ context: any StageContext) async throws -> StageResult {
        let input = try context.localFile(try context.requireString("input"), parameter: "input")
        let subtitles = try context.localFile(try context.requireString("subtitles"), parameter: "subtitles")
        var language: String?
        if let text = context.string("language"), !text.isEmpty {
            guard let code = SubtitleLanguage.iso639_2(text) else {
                throw StageFailure(.invalidInput, "language must be an ISO 639-2 code such as 'eng' or 'zho' (or ISO 639-1 such as 'en'), got '\(text)'")
            }
            language = code
        }
        let progress = ProgressRelay(context)
        let (output, result): (String, SubtitleMuxResult)
        do {
            let container = try SubtitleContainer.forVideo(at: input)
            output = context.artifacts.scratchPath(extension: container.fileExtension)
            result = try await runBlocking { [language] flag in
                try SubtitleMuxer.mux(input: input, subtitles: subtitles, output: output, language: language,
                                      progress: { progress.report($0) }, isCancelled: { flag.isCancelled })
            }
        } catch {
            throw StageFailure.media(error, "adding subtitles to \(input)")
        }
        defer { try? FileManager.default.removeItem(atPath: output) }
        await progress.finish()
        let artifact = try context.artifacts.importFile(at: output, mime: result.container.mime, move: true)
        return StageResult(outputs: [
            "file": .string(artifact.path), "sha256": .string(artifact.sha256),
            "subtitle_codec": .string(result.container.subtitleCodec),
        ], artifacts: [artifact])
    }
}
