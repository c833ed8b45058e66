import Foundation
import VidflowCore

/// `subtitles.generate` (also registered as YiVideo's `wservice.generate_subtitle_files`): writes
/// SRT, WebVTT and JSON subtitle files from transcript segments (`{start, end, text, speaker?}`,
/// typically the previous `audio.transcribe` or `audio.diarize` stage's `segments`), with
/// `SPEAKER_00:` labels when the segments carry speakers. Formatting rules: `SubtitleFormatter`.
public struct SubtitlesStage: Stage {
    public let typeName: String

    public init(typeName: String = "subtitles.generate") {
        self.typeName = typeName
    }

    public var version: Int { 1 }
    public var schema: StageSchema {
        StageSchema(
            parameters: [
                ParameterSpec("segments", .array, required: true, default: "${{ previous.outputs.segments }}",
                              description: "Transcript segments: [{start, end, text, speaker?}], seconds."),
                ParameterSpec("formats", .any, default: ["srt", "vtt", "json"],
                              description: "Files to write: any of srt, vtt, json (an array, or a comma-separated string)."),
                ParameterSpec("max_line_chars", .int, default: 42,
                              description: "Line width in columns (CJK characters count 2); text wraps at spaces, CJK anywhere."),
                ParameterSpec("max_lines", .int, default: 2, description: "Lines per cue."),
                ParameterSpec("max_duration", .number, default: 7, description: "Seconds a cue may stay; longer segments are split."),
                ParameterSpec("speaker_labels", .bool, default: true, description: "Prefix `SPEAKER_00: ` when segments carry speakers."),
            ],
            outputs: [
                OutputSpec("srt", .file), OutputSpec("vtt", .file), OutputSpec("json", .file),
                OutputSpec("file", .file, description: "The SRT file (else the first format written), for the next stage."),
                OutputSpec("cue_count", .int),
            ]
        )
    }

    public func run(_ context: any StageContext) async throws -> StageResult {
        let segments = try TranscriptSegment.parse(context.parameters["segments"], parameter: "segments")
        let formats = try Self.formats(context.parameters["formats"])
        let width = context.int("max_line_chars") ?? 42
        let lines = context.int("max_lines") ?? 2
        let duration = context.double("max_duration") ?? 7
        guard width >= 4 else { throw StageFailure(.invalidInput, "max_line_chars must be at least 4, got \(width)") }
        guard lines >= 1 else { throw StageFailure(.invalidInput, "max_lines must be at least 1, got \(lines)") }
        guard duration > 0 else { throw StageFailure(.invalidInput, "max_duration must be positive, got \(duration)") }
        let formatter = SubtitleFormatter(maxLineWidth: width, maxLines: lines, maxDuration: duration,
                                          speakerLabels: context.bool("speaker_labels") ?? true)
        let cues = formatter.cues(segments)
        var outputs: [String: JSONValue] = ["cue_count": .int(cues.count)]
        var artifacts: [ArtifactRef] = []
        for format in formats {
            let path = context.artifacts.scratchPath(extension: format.fileExtension)
            defer { try? FileManager.default.removeItem(atPath: path) }
            do {
                try Data(SubtitleRenderer.render(cues, as: format).utf8).write(to: URL(fileURLWithPath: path))
            } catch {
                throw StageFailure(.internalError, "cannot write the \(format.rawValue) subtitles: \(error.localizedDescription)")
            }
            let artifact = try context.artifacts.importFile(at: path, mime: format.mime, move: true)
            outputs[format.rawValue] = .string(artifact.path)
            artifacts.append(artifact)
        }
        outputs["file"] = outputs["srt"] ?? artifacts.first.map { .string($0.path) }
        await context.log("wrote \(cues.count) cues from \(segments.count) segments as \(formats.map(\.rawValue).joined(separator: ", "))")
        return StageResult(outputs: outputs, artifacts: artifacts)
    }

    /// The formats asked for, in the order given, without repeats.
    static func formats(_ value: JSONValue?) throws(StageFailure) -> [SubtitleRenderer.Format] {
        let names: [String]
        switch value {
        case nil, .null?: return SubtitleRenderer.Format.allCases
        case .string(let text)?: names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        case .array(let items)?:
            names = try items.map { item throws(StageFailure) in
                guard let name = item.stringValue else {
                    throw StageFailure(.invalidInput, "formats must name formats (srt, vtt, json), got \(item.typeName)")
                }
                return name
            }
        case let other?: throw StageFailure(.invalidInput, "formats must be an array like [srt, vtt, json], got \(other.typeName)")
        }
        var formats: [SubtitleRenderer.Format] = []
        for name in names where !name.isEmpty {
            guard let format = SubtitleRenderer.Format(rawValue: name.lowercased()) else {
                throw StageFailure(.invalidInput, "formats: unknown format '\(name)' (allowed: srt, vtt, json)")
            }
            if !formats.contains(format) { formats.append(format) }
        }
        guard !formats.isEmpty else { throw StageFailure(.invalidInput, "formats names no format (allowed: srt, vtt, json)") }
        return formats
    }
}
