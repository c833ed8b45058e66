import Foundation
import VidflowCore
import VidflowEngine
import VidflowMedia
@testable import VidflowProviders
import VidflowStore
import XCTest

/// YiVideo's subtitle chain from a real video, run by the engine: extract the audio in process,
/// transcribe and diarize it against the loopback OpenAI fake, write subtitles, mux them back.
final class SpeechChainTests: XCTestCase {
    let key = "sk-test-chain-0123456789abcdef"

    func testAVideoBecomesSubtitlesThroughTheYiVideoStageNamesAndIsMuxedBack() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let clip = try media.clip()
        let fake = try await FakeTranscriptionServer.start(key: key)
        let directory = media.directory + "/world"
        let transcription = AudioServiceSettings(service: "transcription", baseURL: fake.baseURL, apiKeys: [key], model: "whisper-1")
        let diarization = AudioServiceSettings(service: "diarization", baseURL: fake.baseURL, apiKeys: [key],
                                               model: "gpt-4o-transcribe-diarize")
        let registry = StageRegistry([
            ExtractAudioStage(),
            AudioTranscribeStage(typeName: "faster_whisper.transcribe_audio", settings: transcription),
            AudioDiarizeStage(typeName: "pyannote_audio.diarize_speakers", openAI: diarization,
                              pyannote: AudioServiceSettings(service: "pyannote", apiKeys: [], model: ""), defaultBackend: "openai"),
            SubtitlesStage(typeName: "wservice.generate_subtitle_files"),
            MuxSubtitlesStage(),
        ])
        let store = try SQLiteWorkflowStore(path: directory + "/vidflow.sqlite")
        let engine = Engine(store: store, registry: registry, artifacts: try FileArtifactStore(root: directory),
                            configuration: EngineConfiguration(dataDirectory: directory, maxConcurrency: 2))
        let definition = try DefinitionValidator(registry: registry).load("""
            name: subtitles
            stages:
              - id: audio
                uses: ffmpeg.extract_audio
                with: { input: "\(clip)" }
              - id: transcript
                uses: faster_whisper.transcribe_audio
                with: { language: zh }
              - id: speakers
                uses: pyannote_audio.diarize_speakers
                with: { speaker_count: 2 }
              - id: subtitles
                uses: wservice.generate_subtitle_files
              - id: muxed
                uses: ffmpeg.mux_subtitles
                with: { input: "\(clip)", language: zh }
            """)
        let id = try await engine.submit(RunRequest(definition: definition))
        let run = try await engine.wait(id)
        let stages = Dictionary(uniqueKeysWithValues: try await store.stages(of: id).map { ($0.stageID, $0) })
        XCTAssertEqual(run.status, .completed, "\(stages.mapValues { $0.error?.message ?? "" })")

        XCTAssertEqual(fake.uploads.map { $0.fields["model"] }, ["whisper-1", "gpt-4o-transcribe-diarize"])
        XCTAssertEqual(fake.uploads.map(\.filename), [String](repeating: (try XCTUnwrap(stages["audio"]?.output?["file"]?.stringValue)
            as NSString).lastPathComponent, count: 2))
        XCTAssertEqual(fake.uploads.first?.duration ?? 0, 1, accuracy: 0.05)
        XCTAssertEqual(fake.uploads.first?.fields["language"], "zh")
        let srt = try String(contentsOfFile: try XCTUnwrap(stages["subtitles"]?.output?["srt"]?.stringValue), encoding: .utf8)
        // The extracted audio lasts about a second (the AAC track's padding included): two halves, one speaker.
        XCTAssertTrue(srt.hasPrefix("1\n00:00:00,000 --> 00:00:00,5"), srt)
        XCTAssertTrue(srt.contains("\nSPEAKER_00: upload 1 first\n\n2\n00:00:00,5"), srt)
        XCTAssertTrue(srt.hasSuffix("\nSPEAKER_00: upload 1 second\n\n"), srt)
        let muxed = try XCTUnwrap(stages["muxed"]?.output?["file"]?.stringValue)
        XCTAssertEqual(try MediaProbe.probe(path: muxed).streams.filter { $0.type == "subtitle" }.count, 1)
        await fake.stop()
    }

    func testTheShippedSubtitlesWorkflowRunsWithServicesFromTheEnvironment() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let clip = try media.clip()
        let fake = try await FakeTranscriptionServer.start(key: key)
        let directory = media.directory + "/world"
        let environment = ["VIDFLOW_TRANSCRIPTION_BASE_URL": fake.baseURL, "VIDFLOW_TRANSCRIPTION_API_KEY": key]
        let registry = BuiltinStages.registry(providers: ProviderRegistry.standard(dataDirectory: directory),
                                              environment: environment)
        let store = try SQLiteWorkflowStore(path: directory + "/vidflow.sqlite")
        let engine = Engine(store: store, registry: registry, artifacts: try FileArtifactStore(root: directory),
                            configuration: EngineConfiguration(dataDirectory: directory, maxConcurrency: 2))
        let text = try String(contentsOfFile: packageRoot + "/workflows/subtitles.yaml", encoding: .utf8)
        let definition = try DefinitionValidator(registry: registry).load(text, file: "workflows/subtitles.yaml")
        let id = try await engine.submit(RunRequest(definition: definition,
                                                    inputs: ["video": .string(clip), "language": "zh"]))
        let run = try await engine.wait(id)
        let stages = Dictionary(uniqueKeysWithValues: try await store.stages(of: id).map { ($0.stageID, $0) })
        XCTAssertEqual(run.status, .completed, "\(stages.mapValues { $0.error?.message ?? "" })")
        XCTAssertEqual(fake.uploads.map { $0.fields["model"] }, ["whisper-1", "gpt-4o-transcribe-diarize"],
                       "diarization falls back to the transcription service's URL and key")
        XCTAssertEqual(fake.uploads.first?.fields["language"], "zh")
        let vtt = try String(contentsOfFile: try XCTUnwrap(stages["subtitles"]?.output?["vtt"]?.stringValue), encoding: .utf8)
        XCTAssertTrue(vtt.hasPrefix("WEBVTT"), vtt)
        XCTAssertTrue(vtt.contains("SPEAKER_00: upload 1 first"), vtt)
        let muxed = try XCTUnwrap(stages["mux"]?.output?["file"]?.stringValue)
        let subtitleStreams = try MediaProbe.probe(path: muxed).streams.filter { $0.type == "subtitle" }
        XCTAssertEqual(subtitleStreams.count, 1)
        await fake.stop()
    }
}
