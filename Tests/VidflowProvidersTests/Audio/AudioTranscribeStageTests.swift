import Foundation
import VidflowCore
@testable import VidflowProviders
import XCTest

/// `audio.transcribe` against a loopback fake of OpenAI's transcription API, on WAV audio made here.
final class AudioTranscribeStageTests: XCTestCase {
    let key = "sk-test-transcribe-0123456789abcdef"
    var directory = ""

    override func setUp() async throws {
        directory = NSTemporaryDirectory() + "vidflow-transcribe-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() async throws { try? FileManager.default.removeItem(atPath: directory) }

    private func stage(_ fake: FakeTranscriptionServer, maxUploadBytes: Int = 25_000_000, keys: [String]? = nil,
                       model: String = "whisper-1") -> AudioTranscribeStage {
        AudioTranscribeStage(settings: AudioServiceSettings(service: "transcription", baseURL: fake.baseURL, apiKeys: keys ?? [key],
                                                            model: model, maxUploadBytes: maxUploadBytes, requestTimeout: 30))
    }

    private func context(_ parameters: [String: JSONValue]) throws -> DirectContext {
        try DirectContext(parameters: parameters, directory: directory + "/store")
    }

    func testTranscribesAWAVFileIntoTextSegmentsAndAJSONArtifact() async throws {
        let fake = try await FakeTranscriptionServer.start(key: key)
        let audio = directory + "/speech.wav"
        try TestWAV.write([TestWAV.Part(seconds: 3, frequency: 440)], to: audio)
        let result = try await stage(fake).run(try context(["input": .string(audio), "language": "en", "prompt": "Vidflow"]))

        let upload = try XCTUnwrap(fake.uploads.first)
        XCTAssertEqual(upload.fields, ["model": "whisper-1", "language": "en", "prompt": "Vidflow",
                                       "response_format": "verbose_json", "timestamp_granularities[]": "segment"])
        XCTAssertEqual(upload.filename, "speech.wav")
        XCTAssertEqual(upload.duration, 3)
        XCTAssertEqual(result.outputs["text"], "upload 1 first upload 1 second")
        XCTAssertEqual(result.outputs["language"], "en")
        XCTAssertEqual(result.outputs["segments"], [["start": 0.0, "end": 1.5, "text": "upload 1 first"],
                                                    ["start": 1.5, "end": 3.0, "text": "upload 1 second"]])
        XCTAssertEqual(result.outputs["chunks"], 1)
        XCTAssertEqual(result.outputs["audio"], .string(audio))
        let file = try XCTUnwrap(result.outputs["file"]?.stringValue)
        let saved = try JSONValue.parse(String(contentsOfFile: file, encoding: .utf8))
        XCTAssertEqual(saved["segments"], try JSONValue.parse(XCTUnwrap(result.outputs["segments"]).canonicalJSON))
        XCTAssertEqual(saved["model"], "whisper-1")
        await fake.stop()
    }

    func testModelsWithoutVerboseJSONGetJSONAndOneSegmentSpanningTheAudio() async throws {
        let fake = try await FakeTranscriptionServer.start(key: key)
        let audio = directory + "/speech.wav"
        try TestWAV.write([TestWAV.Part(seconds: 2, frequency: 300)], to: audio)
        let result = try await stage(fake, model: "gpt-4o-transcribe").run(try context(["input": .string(audio)]))
        XCTAssertEqual(fake.uploads.first?.fields, ["model": "gpt-4o-transcribe", "response_format": "json"])
        XCTAssertEqual(result.outputs["segments"], [["start": 0.0, "end": 2.0, "text": "upload 1 text"]])
        await fake.stop()
    }

    func testWaitsAsA429RetryAfterAsksThenSucceeds() async throws {
        let fake = try await FakeTranscriptionServer.start(key: key)
        fake.enqueue(.json(["error": ["message": "Rate limit reached for whisper-1", "type": "requests", "code": "rate_limit_exceeded"]],
                           status: 429, headers: [("Retry-After", "1")]))
        let audio = directory + "/speech.wav"
        try TestWAV.write([TestWAV.Part(seconds: 1, frequency: 440)], to: audio)
        let started = Date()
        let result = try await stage(fake).run(try context(["input": .string(audio)]))
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.9, "the Retry-After wait was not honoured")
        XCTAssertEqual(fake.server.requests("POST", "/v1/audio/transcriptions").count, 2)
        XCTAssertEqual(result.outputs["text"], "upload 1 first upload 1 second")
        await fake.stop()
    }

    func testAudioOverTheUploadLimitIsSentInChunksCutInTheSilencesAndTimesAreMerged() async throws {
        let fake = try await FakeTranscriptionServer.start(key: key, maxUploadBytes: 200_000)
        let audio = directory + "/long.wav"
        // 12 s at 16 kHz mono = 384 KB; silences at 4.0–4.5 s and 8.0–8.5 s.
        try TestWAV.write([TestWAV.Part(seconds: 4, frequency: 440), TestWAV.Part(seconds: 0.5, frequency: nil),
                           TestWAV.Part(seconds: 3.5, frequency: 660), TestWAV.Part(seconds: 0.5, frequency: nil),
                           TestWAV.Part(seconds: 3.5, frequency: 550)], to: audio)
        let limit = 150_000   // 4.69 s of audio per upload
        let result = try await stage(fake, maxUploadBytes: limit).run(try context(["input": .string(audio)]))

        let uploads = fake.uploads
        XCTAssertEqual(uploads.count, 3)
        XCTAssertTrue(uploads.allSatisfy { $0.bytes <= limit })
        XCTAssertEqual(uploads.map(\.filename), ["long-part1.wav", "long-part2.wav", "long-part3.wav"])
        let first = uploads[0].duration, second = uploads[1].duration
        XCTAssertTrue((4.0...4.5).contains(first), "first cut at \(first) s, not in the silence")
        XCTAssertTrue((8.0...8.5).contains(first + second), "second cut at \(first + second) s, not in the silence")
        XCTAssertEqual(uploads.reduce(0) { $0 + $1.duration }, 12, accuracy: 0.001)

        let segments = try XCTUnwrap(result.outputs["segments"]?.arrayValue)
        XCTAssertEqual(segments.count, 6)
        let starts = segments.compactMap { $0["start"]?.doubleValue }
        XCTAssertEqual(starts[2], first, accuracy: 0.001)
        XCTAssertEqual(starts[4], first + second, accuracy: 0.001)
        XCTAssertEqual(starts, starts.sorted())
        XCTAssertEqual(segments.last?["end"]?.doubleValue ?? 0, 12, accuracy: 0.001)
        XCTAssertEqual(segments.compactMap { $0["text"]?.stringValue }.first, "upload 1 first")
        XCTAssertEqual(result.outputs["text"], "upload 1 first upload 1 second upload 2 first upload 2 second upload 3 first upload 3 second")
        XCTAssertEqual(result.outputs["chunks"], 3)
        XCTAssertEqual(result.outputs["duration"], 12.0)
        await fake.stop()
    }

    func testARefusedKeyFailsAsAuthWithoutTheKeyInTheError() async throws {
        let fake = try await FakeTranscriptionServer.start(key: key)
        let wrong = "sk-wrong-key-9876543210fedcba"
        let audio = directory + "/speech.wav"
        try TestWAV.write([TestWAV.Part(seconds: 1, frequency: 440)], to: audio)
        let context = try context(["input": .string(audio)])
        let failure = try await XCTUnwrapAsync(await stageFailure(of: stage(fake, keys: [wrong]), context))
        XCTAssertEqual(failure.kind, .auth)
        XCTAssertTrue(failure.message.contains("Incorrect API key"), failure.message)
        XCTAssertFalse(failure.message.contains(wrong), failure.message)
        XCTAssertFalse(context.logs.joined().contains(wrong))
        XCTAssertEqual(fake.server.requests.first?.headers["authorization"], "Bearer \(wrong)")
        await fake.stop()
    }

    func testCompressedAudioOverTheLimitIsConvertedToWAVAndSentInChunks() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let clip = try media.clip()   // 1 s of AAC in MP4: 16 kHz mono WAV of it is ~32 KB
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: clip)[.size] as? Int)
        let limit = 20_000
        XCTAssertGreaterThan(size, limit)
        let fake = try await FakeTranscriptionServer.start(key: key)
        let context = try context(["input": .string(clip)])
        let result = try await stage(fake, maxUploadBytes: limit).run(context)
        XCTAssertEqual(fake.uploads.count, 2)
        XCTAssertTrue(fake.uploads.allSatisfy { $0.filename.hasSuffix(".wav") && $0.bytes <= limit })
        XCTAssertEqual(fake.uploads.reduce(0) { $0 + $1.duration }, 1, accuracy: 0.05)
        XCTAssertEqual(result.outputs["chunks"], 2)
        XCTAssertEqual(result.outputs["segments"]?.arrayValue?.count, 4)
        XCTAssertTrue(context.logs.contains { $0.contains("converting it to 16 kHz mono WAV") }, "\(context.logs)")
        await fake.stop()
    }

    func testAFileThatIsNotAudioOverTheLimitFailsAsInvalidInputWithoutAnUpload() async throws {
        let fake = try await FakeTranscriptionServer.start(key: key)
        let audio = directory + "/big.mp3"
        try Data(repeating: 0x55, count: 5000).write(to: URL(fileURLWithPath: audio))
        let failure = try await XCTUnwrapAsync(await stageFailure(of: stage(fake, maxUploadBytes: 1000), try context(["input": .string(audio)])))
        XCTAssertEqual(failure.kind, .invalidInput)
        XCTAssertTrue(failure.message.contains("converting big.mp3 to WAV"), failure.message)
        XCTAssertTrue(fake.server.requests.isEmpty)
        await fake.stop()
    }

    func testWithoutAKeyItFailsAsAuthWithoutCallingTheService() async throws {
        let fake = try await FakeTranscriptionServer.start(key: key)
        let audio = directory + "/speech.wav"
        try TestWAV.write([TestWAV.Part(seconds: 1, frequency: 440)], to: audio)
        let failure = try await XCTUnwrapAsync(await stageFailure(of: stage(fake, keys: []), try context(["input": .string(audio)])))
        XCTAssertEqual(failure.kind, .auth)
        XCTAssertTrue(failure.message.contains("no API key configured"), failure.message)
        XCTAssertTrue(fake.server.requests.isEmpty)
        await fake.stop()
    }

    func testSettingsComeFromTheTranscriptionVariablesFallingBackToOpenAI() {
        let fallback = AudioServiceSettings.resolve("transcription", environment: ["OPENAI_API_KEY": "sk-openai-0123456789abcdef"])
        XCTAssertEqual(fallback.baseURL, "https://api.openai.com/v1")
        XCTAssertEqual(fallback.provider.apiKeys, ["sk-openai-0123456789abcdef"])
        XCTAssertEqual(fallback.model, "whisper-1")
        XCTAssertEqual(fallback.maxUploadBytes, 25_000_000)
        let own = AudioServiceSettings.resolve("transcription", environment: [
            "OPENAI_API_KEY": "sk-openai-0123456789abcdef", "VIDFLOW_TRANSCRIPTION_API_KEY": "gsk_a,gsk_b",
            "VIDFLOW_TRANSCRIPTION_BASE_URL": "https://api.groq.com/openai/v1", "VIDFLOW_TRANSCRIPTION_MODEL": "whisper-large-v3",
            "VIDFLOW_TRANSCRIPTION_MAX_UPLOAD_MB": "100",
        ])
        XCTAssertEqual(own.provider.apiKeys, ["gsk_a", "gsk_b"])
        XCTAssertEqual(own.baseURL, "https://api.groq.com/openai/v1")
        XCTAssertEqual(own.model, "whisper-large-v3")
        XCTAssertEqual(own.maxUploadBytes, 100_000_000)
        let diarization = AudioServiceSettings.resolve("diarization", environment: ["VIDFLOW_TRANSCRIPTION_API_KEY": "sk-shared-0123456789"])
        XCTAssertEqual(diarization.provider.apiKeys, ["sk-shared-0123456789"])
        XCTAssertEqual(diarization.model, "gpt-4o-transcribe-diarize")
        XCTAssertFalse(own.masked.values.joined().contains("gsk_a,"))
    }
}

/// `XCTUnwrap` for a value produced by an async call.
func XCTUnwrapAsync<T>(_ value: T?, file: StaticString = #filePath, line: UInt = #line) async throws -> T {
    try XCTUnwrap(value, file: file, line: line)
}
