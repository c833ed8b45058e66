import Foundation
import VidflowCore
import VidflowEngine
@testable import VidflowProviders
import VidflowStore
import XCTest

/// `audio.diarize` against loopback fakes of OpenAI's diarizing transcription and pyannoteAI's job API,
/// and the whole speech chain (transcribe → diarize → subtitles) run by the engine.
final class AudioDiarizeStageTests: XCTestCase {
    let openAIKey = "sk-test-diarize-0123456789abcdef"
    let pyannoteKey = "pyannote-test-key-0123456789"
    var directory = ""

    override func setUp() async throws {
        directory = NSTemporaryDirectory() + "vidflow-diarize-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() async throws { try? FileManager.default.removeItem(atPath: directory) }

    private func stage(openAI: String = "http://127.0.0.1:9", pyannote: String = "http://127.0.0.1:9",
                       backend: String = "openai") -> AudioDiarizeStage {
        var stage = AudioDiarizeStage(
            openAI: AudioServiceSettings(service: "diarization", baseURL: openAI, apiKeys: [openAIKey], model: "gpt-4o-transcribe-diarize"),
            pyannote: AudioServiceSettings(service: "pyannote", baseURL: pyannote, apiKeys: [pyannoteKey], model: ""),
            defaultBackend: backend)
        stage.pollInterval = .milliseconds(20)
        return stage
    }

    func testOpenAIDiarizationSendsDiarizedJSONWithAutoChunkingAndNamesSpeakers() async throws {
        let fake = try await FakeTranscriptionServer.start(key: openAIKey)
        let audio = directory + "/talk.wav"
        try TestWAV.write([TestWAV.Part(seconds: 3, frequency: 440)], to: audio)
        let context = try DirectContext(parameters: ["input": .string(audio), "language": "zh", "speaker_count": 2],
                                        directory: directory + "/store")
        let result = try await stage(openAI: fake.baseURL).run(context)

        XCTAssertEqual(fake.uploads.first?.fields, ["model": "gpt-4o-transcribe-diarize", "language": "zh",
                                                    "response_format": "diarized_json", "chunking_strategy": "auto"])
        XCTAssertEqual(result.outputs["turns"], [["start": 0.0, "end": 1.0, "speaker": "SPEAKER_00"],
                                                 ["start": 1.0, "end": 2.0, "speaker": "SPEAKER_01"],
                                                 ["start": 2.0, "end": 3.0, "speaker": "SPEAKER_00"]])
        XCTAssertEqual(result.outputs["segments"]?.arrayValue?.first, ["start": 0.0, "end": 1.0, "text": "line 0", "speaker": "SPEAKER_00"])
        XCTAssertEqual(result.outputs["speakers"], ["SPEAKER_00", "SPEAKER_01"])
        XCTAssertTrue(context.logs.contains { $0.contains("speaker_count 2 not sent") }, "\(context.logs)")
        let file = try XCTUnwrap(result.outputs["file"]?.stringValue)
        XCTAssertEqual(try JSONValue.parse(String(contentsOfFile: file, encoding: .utf8))["turns"],
                       try JSONValue.parse(XCTUnwrap(result.outputs["turns"]).canonicalJSON))
        await fake.stop()
    }

    func testPyannoteUploadsTheAudioCreatesAJobWithTheSpeakerCountAndPollsItToTheTurns() async throws {
        let fake = try await FakePyannoteServer.start(key: pyannoteKey)
        let audio = directory + "/talk.wav"
        try TestWAV.write([TestWAV.Part(seconds: 4, frequency: 440)], to: audio)
        let transcript: JSONValue = [["start": 0.1, "end": 0.9, "text": "你好"], ["start": 1.2, "end": 2.8, "text": "世界"],
                                     ["start": 3.1, "end": 3.9, "text": "再见"]]
        let context = try DirectContext(parameters: ["input": .string(audio), "speaker_count": 3, "segments": transcript],
                                        directory: directory + "/store")
        let result = try await stage(pyannote: fake.baseURL, backend: "pyannote").run(context)

        let create = try XCTUnwrap(fake.server.requests("POST", "/v1/diarize").first?.json)
        XCTAssertEqual(create["numSpeakers"], 3)
        XCTAssertTrue(create["url"]?.stringValue?.hasPrefix("media://vidflow-run-test-stage-talk.wav") == true, "\(create)")
        let put = try XCTUnwrap(fake.server.requests.first { $0.method == "PUT" })
        XCTAssertNil(put.headers["authorization"], "the API key went to the pre-signed URL")
        XCTAssertEqual(put.body.count, 4 * 32_000 + 44)
        XCTAssertGreaterThanOrEqual(fake.server.requests.filter { $0.method == "GET" }.count, 2)
        XCTAssertEqual(result.outputs["speakers"], ["SPEAKER_00", "SPEAKER_01", "SPEAKER_02"])
        XCTAssertEqual(result.outputs["segments"], [["start": 0.1, "end": 0.9, "text": "你好", "speaker": "SPEAKER_00"],
                                                    ["start": 1.2, "end": 2.8, "text": "世界", "speaker": "SPEAKER_01"],
                                                    ["start": 3.1, "end": 3.9, "text": "再见", "speaker": "SPEAKER_00"]])
        await fake.stop()
    }

    func testTranscribeDiarizeAndSubtitlesRunAsAChainUnderTheirYiVideoNames() async throws {
        let fake = try await FakeTranscriptionServer.start(key: openAIKey)
        let audio = directory + "/talk.wav"
        try TestWAV.write([TestWAV.Part(seconds: 4, frequency: 440)], to: audio)
        let transcription = AudioServiceSettings(service: "transcription", baseURL: fake.baseURL, apiKeys: [openAIKey], model: "whisper-1")
        let registry = StageRegistry([
            AudioTranscribeStage(typeName: "faster_whisper.transcribe_audio", settings: transcription),
            stage(openAI: fake.baseURL).renamed("pyannote_audio.diarize_speakers"),
            SubtitlesStage(typeName: "wservice.generate_subtitle_files"),
        ])
        let store = try SQLiteWorkflowStore(path: directory + "/vidflow.sqlite")
        let engine = Engine(store: store, registry: registry, artifacts: try FileArtifactStore(root: directory),
                            configuration: EngineConfiguration(dataDirectory: directory, maxConcurrency: 2))
        let definition = try DefinitionValidator(registry: registry).load("""
            name: speech
            stages:
              - id: transcribe
                uses: faster_whisper.transcribe_audio
                with: { input: "\(audio)", language: en }
              - id: diarize
                uses: pyannote_audio.diarize_speakers
              - id: subtitles
                uses: wservice.generate_subtitle_files
            """)
        let id = try await engine.submit(RunRequest(definition: definition))
        let run = try await engine.wait(id)
        let stages = Dictionary(uniqueKeysWithValues: try await store.stages(of: id).map { ($0.stageID, $0) })
        XCTAssertEqual(run.status, .completed, "\(stages.mapValues { $0.error?.message ?? "" })")

        // Diarization got the audio (not the transcript JSON) and labelled the transcript's segments.
        XCTAssertEqual(fake.uploads.map { $0.fields["model"] }, ["whisper-1", "gpt-4o-transcribe-diarize"])
        XCTAssertEqual(fake.uploads.map(\.duration), [4, 4])
        let srtPath = try XCTUnwrap(stages["subtitles"]?.output?["file"]?.stringValue)
        XCTAssertEqual(try String(contentsOfFile: srtPath, encoding: .utf8), """
            1
            00:00:00,000 --> 00:00:02,000
            SPEAKER_00: upload 1 first

            2
            00:00:02,000 --> 00:00:04,000
            SPEAKER_00: upload 1 second


            """)
        await fake.stop()
    }
}

extension AudioDiarizeStage {
    /// The same stage under another type name.
    func renamed(_ typeName: String) -> AudioDiarizeStage {
        var copy = AudioDiarizeStage(typeName: typeName, openAI: openAI, pyannote: pyannote, defaultBackend: defaultBackend)
        copy.pollInterval = pollInterval
        return copy
    }
}
