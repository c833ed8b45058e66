import Foundation
import VidflowCore

/// `audio.diarize` (also registered as YiVideo's `pyannote_audio.diarize_speakers`): who spoke
/// when. Backends: OpenAI's `gpt-4o-transcribe-diarize` (`response_format=diarized_json`,
/// `chunking_strategy=auto`; settings `VIDFLOW_DIARIZATION_*`) or pyannoteAI's hosted API (upload,
/// job, poll; `PYANNOTE_API_KEY`), chosen by `backend` (default `VIDFLOW_DIARIZATION_BACKEND`, else `openai`).
///
/// After `audio.transcribe` in a chain it diarizes that stage's `audio` and labels its `segments`
/// (each gets the speaker whose turns overlap it most); on its own it diarizes `input`, and the
/// segments are OpenAI's diarized text (pyannote gives turns only).
public struct AudioDiarizeStage: Stage {
    public let typeName: String
    public let openAI: AudioServiceSettings
    public let pyannote: AudioServiceSettings
    public let defaultBackend: String
    /// Time between pyannote job polls.
    public var pollInterval: Duration = .seconds(2)
    private let openAIHTTP: ProviderHTTPClient
    private let pyannoteHTTP: ProviderHTTPClient

    public init(typeName: String = "audio.diarize", openAI: AudioServiceSettings = .resolve("diarization"),
                pyannote: AudioServiceSettings = .resolve("pyannote"),
                defaultBackend: String = ProcessInfo.processInfo.environment["VIDFLOW_DIARIZATION_BACKEND"] ?? "openai") {
        self.typeName = typeName
        self.openAI = openAI
        self.pyannote = pyannote
        self.defaultBackend = defaultBackend.isEmpty ? "openai" : defaultBackend
        openAIHTTP = openAI.httpClient()
        pyannoteHTTP = pyannote.httpClient()
    }

    public var version: Int { 1 }
    public var schema: StageSchema {
        StageSchema(
            parameters: [
                ParameterSpec("input", .file, required: true, default: "${{ previous.outputs.file }}",
                              description: "The audio; after audio.transcribe, that stage's `audio` is used instead."),
                ParameterSpec("audio", .file, default: "${{ previous.outputs.audio }}", description: "Chain wiring from audio.transcribe.",
                              wiredWith: "input"),
                ParameterSpec("segments", .array, default: "${{ previous.outputs.segments }}",
                              description: "Transcript segments to label with speakers.", wiredWith: "input"),
                ParameterSpec("speaker_count", .int, description: "Known number of speakers (pyannote's numSpeakers; OpenAI has no such option)."),
                ParameterSpec("language", .string, description: "ISO-639-1 code, for the OpenAI backend."),
                ParameterSpec("backend", .string, allowed: ["openai", "pyannote"]),
                ParameterSpec("model", .string, description: "OpenAI backend model; default gpt-4o-transcribe-diarize."),
                ParameterSpec("timeout", .number, default: 1800, description: "Seconds to wait for a pyannote job."),
            ],
            outputs: [
                OutputSpec("turns", .array, description: "[{start, end, speaker}] in time order."),
                OutputSpec("segments", .array, description: "[{start, end, text, speaker}]."),
                OutputSpec("speakers", .array), OutputSpec("speaker_count", .int),
                OutputSpec("file", .file, description: "Turns and segments as JSON."),
                OutputSpec("audio", .file),
            ]
        )
    }

    public func run(_ context: any StageContext) async throws -> StageResult {
        let audio: String
        if let chained = context.string("audio"), !chained.isEmpty {
            audio = try context.localFile(chained, parameter: "audio")
        } else {
            audio = try context.localFile(try context.requireString("input"), parameter: "input")
        }
        var transcript: [TranscriptSegment]?
        if let value = context.parameters["segments"], !value.isNull {
            transcript = try TranscriptSegment.parse(value, parameter: "segments")
        }
        let speakerCount = context.int("speaker_count").flatMap { $0 > 0 ? $0 : nil }
        let backend = context.string("backend").flatMap { $0.isEmpty ? nil : $0 } ?? defaultBackend
        let diarized: [TranscriptSegment]
        switch backend {
        case "openai":
            if let speakerCount { await context.log("speaker_count \(speakerCount) not sent: OpenAI diarization has no such option") }
            diarized = try await viaOpenAI(audio, context: context)
        case "pyannote":
            diarized = try await viaPyannote(audio, speakerCount: speakerCount, context: context)
        default:
            throw StageFailure(.invalidInput, "backend must be openai or pyannote, got '\(backend)'")
        }
        let normalized = SpeakerTurns.normalized(diarized)
        let turns = SpeakerTurns.turns(from: normalized)
        let segments = transcript.map { SpeakerTurns.label($0, with: turns) } ?? normalized.filter { !$0.text.isEmpty }
        var speakers: [String] = []
        for turn in turns { if let speaker = turn.speaker, !speakers.contains(speaker) { speakers.append(speaker) } }
        let turnValues: [JSONValue] = turns.map { turn in
            ["start": .double(TranscriptSegment.rounded(turn.start)), "end": .double(TranscriptSegment.rounded(turn.end)),
             "speaker": .string(turn.speaker ?? "")]
        }
        let document: JSONValue = ["backend": .string(backend), "speakers": .array(speakers.map { .string($0) }),
                                   "turns": .array(turnValues), "segments": .array(segments.map(\.json))]
        let artifact = try AudioTranscribeStage.storeJSON(document, in: context.artifacts)
        await context.log("\(backend): \(speakers.count) speakers in \(turns.count) turns")
        return StageResult(outputs: [
            "turns": .array(turnValues), "segments": .array(segments.map(\.json)), "speakers": .array(speakers.map { .string($0) }),
            "speaker_count": .int(speakers.count), "file": .string(artifact.path), "audio": .string(audio),
        ], artifacts: [artifact])
    }

    private func viaOpenAI(_ audio: String, context: any StageContext) async throws -> [TranscriptSegment] {
        let model = context.string("model").flatMap { $0.isEmpty ? nil : $0 } ?? openAI.model
        let language = context.string("language").flatMap { $0.isEmpty || $0.lowercased() == "auto" ? nil : $0 }
        let transcription = ChunkedTranscription(api: AudioTranscriptionAPI(http: openAIHTTP), maxBytes: openAI.maxUploadBytes)
        let result = try await transcription.run(path: audio, model: model, language: language, prompt: nil, diarize: true,
                                                 context: context)
        if result.chunks > 1 {
            await context.log("diarized in \(result.chunks) chunks: a speaker's label may differ from one chunk to the next")
        }
        return result.answer.segments
    }

    private func viaPyannote(_ audio: String, speakerCount: Int?, context: any StageContext) async throws -> [TranscriptSegment] {
        var configured = PyannoteDiarizationAPI(http: pyannoteHTTP)
        configured.pollInterval = pollInterval
        let api = configured
        let filename = (audio as NSString).lastPathComponent
        let key = "vidflow-\(context.runID)-\(context.stageID)-\(filename)".map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "-" }
        let request: JSONValue = ["audio": .string(filename), "speaker_count": speakerCount.map { .int($0) } ?? .null]
        let job = try await context.submitOnce(provider: "pyannote", request: request, reconcile: { _, _ in nil }) { _ in
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: audio)) } catch {
                throw StageFailure(.invalidInput, "cannot read input \(audio): \(error.localizedDescription)")
            }
            return try await api.submit(data, key: String(key), contentType: AudioTranscriptionAPI.contentType(filename),
                                        speakerCount: speakerCount)
        }
        await context.log("pyannote job \(job.externalID) (\(job.origin.rawValue))")
        let timeout = Duration.seconds(context.double("timeout") ?? 1800)
        do {
            return try await api.result(of: job.externalID, timeout: timeout) { status in
                await context.log("pyannote job \(job.externalID): \(status)")
            }
        } catch let error as ProviderError {
            throw error.stageFailure()
        }
    }
}
