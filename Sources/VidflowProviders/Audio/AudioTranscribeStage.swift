import Foundation
import VidflowCore

/// `audio.transcribe` (also registered as YiVideo's `faster_whisper.transcribe_audio`): speech to
/// timed text through an OpenAI-compatible `POST /v1/audio/transcriptions` service (OpenAI
/// `whisper-1`/`gpt-4o-transcribe`, Groq, self-hosted faster-whisper), configured by
/// `AudioServiceSettings` (`VIDFLOW_TRANSCRIPTION_*`). Audio over the service's upload limit is sent
/// in chunks (`ChunkedTranscription`) and the segment times merged.
public struct AudioTranscribeStage: Stage {
    public let typeName: String
    public let settings: AudioServiceSettings
    private let http: ProviderHTTPClient

    public init(typeName: String = "audio.transcribe", settings: AudioServiceSettings = .resolve("transcription")) {
        self.typeName = typeName
        self.settings = settings
        http = settings.httpClient()
    }

    public var version: Int { 1 }
    public var schema: StageSchema {
        StageSchema(
            parameters: [
                ParameterSpec("input", .file, required: true, default: "${{ previous.outputs.file }}",
                              description: "The audio (WAV, MP3, M4A, FLAC, OGG, WebM); over the upload limit it is sent as WAV chunks."),
                ParameterSpec("language", .string, description: "ISO-639-1 code (zh, en); detected when omitted or `auto`."),
                ParameterSpec("model", .string, description: "The service's model; default VIDFLOW_TRANSCRIPTION_MODEL or whisper-1."),
                ParameterSpec("prompt", .string, description: "Text to guide spelling and style."),
            ],
            outputs: [
                OutputSpec("text", .string), OutputSpec("language", .string),
                OutputSpec("segments", .array, description: "[{start, end, text}] in seconds."),
                OutputSpec("duration", .number), OutputSpec("chunks", .int, description: "Uploads it took."),
                OutputSpec("file", .file, description: "The transcript as JSON."),
                OutputSpec("audio", .file, description: "The audio transcribed, for a diarization stage after this one."),
            ]
        )
    }

    public func run(_ context: any StageContext) async throws -> StageResult {
        let input = try context.localFile(try context.requireString("input"), parameter: "input")
        let language = context.string("language").flatMap { $0.isEmpty || $0.lowercased() == "auto" ? nil : $0 }
        let model = context.string("model").flatMap { $0.isEmpty ? nil : $0 } ?? settings.model
        let transcription = ChunkedTranscription(api: AudioTranscriptionAPI(http: http), maxBytes: settings.maxUploadBytes)
        let result = try await transcription.run(path: input, model: model, language: language, prompt: context.string("prompt"),
                                                 diarize: false, context: context)
        let answer = result.answer
        let segments = answer.segments.map(\.json)
        let detected = language ?? answer.language ?? ""
        let duration = TranscriptSegment.rounded(answer.duration ?? answer.segments.last?.end ?? 0)
        let transcript: JSONValue = [
            "text": .string(answer.text), "language": .string(detected), "duration": .double(duration),
            "model": .string(model), "segments": .array(segments),
        ]
        let artifact = try Self.storeJSON(transcript, in: context.artifacts)
        await context.log("transcribed \(TranscriptSegment.rounded(duration)) s into \(segments.count) segments with \(model) in \(result.chunks) upload(s)")
        return StageResult(outputs: [
            "text": .string(answer.text), "language": .string(detected), "segments": .array(segments),
            "duration": .double(duration), "chunks": .int(result.chunks), "file": .string(artifact.path),
            "audio": .string(input),
        ], artifacts: [artifact])
    }

    /// Writes `value` as a JSON artifact.
    static func storeJSON(_ value: JSONValue, in artifacts: any ArtifactStore) throws -> ArtifactRef {
        let path = artifacts.scratchPath(extension: "json")
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            try Data((value.canonicalJSON + "\n").utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw StageFailure(.internalError, "cannot write the transcript: \(error.localizedDescription)")
        }
        return try artifacts.importFile(at: path, mime: "application/json", move: true)
    }
}
