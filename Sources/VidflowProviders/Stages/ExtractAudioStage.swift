import Foundation
import VidflowCore
import VidflowMedia

/// `ffmpeg.extract_audio`: the audio track of a video (or audio file) as WAV (PCM 16 kHz mono by
/// default, what transcription services want), FLAC, MP3 or M4A, stored in the artifact store.
public struct ExtractAudioStage: Stage {
    public init() {}

    public var typeName: String { "ffmpeg.extract_audio" }
    public var version: Int { 1 }
    public var schema: StageSchema {
        StageSchema(
            parameters: [
                ParameterSpec("input", .file, required: true, default: "${{ previous.outputs.file }}"),
                ParameterSpec("audio_format", .string, default: "wav",
                              allowed: AudioExtractOptions.Format.allCases.map { .string($0.rawValue) }),
                ParameterSpec("sample_rate", .int, default: 16000, description: "Output sample rate in Hz."),
                ParameterSpec("channels", .int, default: 1, description: "Output channel count (1 = mono)."),
            ],
            outputs: [
                OutputSpec("file", .file), OutputSpec("sha256", .string), OutputSpec("duration", .number),
                OutputSpec("sample_rate", .int), OutputSpec("channels", .int),
                OutputSpec("format", .string, description: "wav, flac, mp3 or m4a."),
            ]
        )
    }

    public func run(_ context: any StageContext) async throws -> StageResult {
        let input = try context.localFile(try context.requireString("input"), parameter: "input")
        let formatText = context.string("audio_format") ?? "wav"
        guard let format = AudioExtractOptions.Format(rawValue: formatText) else {
            let allowed = AudioExtractOptions.Format.allCases.map(\.rawValue).joined(separator: ", ")
            throw StageFailure(.invalidInput, "audio_format must be one of \(allowed), got '\(formatText)'")
        }
        let options = AudioExtractOptions(format: format, sampleRate: context.int("sample_rate") ?? 16000,
                                          channels: context.int("channels") ?? 1)
        let output = context.artifacts.scratchPath(extension: format.fileExtension)
        defer { try? FileManager.default.removeItem(atPath: output) }
        let progress = ProgressRelay(context)
        let result: AudioExtractResult
        do {
            result = try await runBlocking { flag in
                try AudioExtractor.extract(input: input, output: output, options: options,
                                           progress: { progress.report($0) }, isCancelled: { flag.isCancelled })
            }
        } catch {
            throw StageFailure.media(error, "extracting audio from \(input)")
        }
        await progress.finish()
        let artifact = try context.artifacts.importFile(at: output, mime: format.mime, move: true)
        return StageResult(outputs: [
            "file": .string(artifact.path), "sha256": .string(artifact.sha256), "duration": .double(result.duration),
            "sample_rate": .int(result.sampleRate), "channels": .int(result.channels), "format": .string(format.rawValue),
        ], artifacts: [artifact])
    }
}
