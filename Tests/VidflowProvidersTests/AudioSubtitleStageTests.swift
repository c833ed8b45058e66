import Foundation
import VidflowCore
import VidflowProviders
import VidflowTestSupport
import XCTest

/// `ffmpeg.extract_audio` and `ffmpeg.mux_subtitles`, run directly and through the engine on media made in the test.
final class AudioSubtitleStageTests: XCTestCase {
    private func videoOnly(_ media: TestMedia) throws -> String {
        let path = media.directory + "/silent.mp4"
        try runTool("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=10",
                               "-t", "1", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", path])
        return path
    }

    private func srt(_ media: TestMedia) throws -> String {
        let path = media.directory + "/zh.srt"
        try Data("1\n00:00:00,100 --> 00:00:00,800\n你好，世界\n\n".utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testExtractAudioWritesA16kHzMonoWAVArtifactByDefault() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let context = try DirectContext(parameters: ["input": .string(try media.clip())], directory: media.directory + "/data")
        let result = try await ExtractAudioStage().run(context)
        XCTAssertEqual(result.outputs["format"], "wav")
        XCTAssertEqual(result.outputs["sample_rate"], 16000)
        XCTAssertEqual(result.outputs["channels"], 1)
        XCTAssertEqual(try XCTUnwrap(result.outputs["duration"]?.doubleValue), 1, accuracy: 0.1)
        let file = try XCTUnwrap(result.outputs["file"]?.stringValue)
        XCTAssertTrue(file.hasPrefix(media.directory + "/data/artifacts/") && file.hasSuffix(".wav"), file)
        XCTAssertEqual(result.artifacts.map(\.path), [file])
        XCTAssertEqual(result.outputs["sha256"]?.stringValue, result.artifacts.first?.sha256)
        let report = try ProbeReport(path: file)
        XCTAssertEqual(report.audio?["codec_name"] as? String, "pcm_s16le")
        XCTAssertEqual(report.audio?["sample_rate"] as? String, "16000")
        XCTAssertEqual(context.progress.last, 100)
    }

    func testExtractAudioHonoursFormatRateAndChannels() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let context = try DirectContext(parameters: ["input": .string(try media.clip()), "audio_format": "m4a",
                                                     "sample_rate": 44100, "channels": 2], directory: media.directory + "/data")
        let result = try await ExtractAudioStage().run(context)
        let file = try XCTUnwrap(result.outputs["file"]?.stringValue)
        XCTAssertTrue(file.hasSuffix(".m4a"), file)
        XCTAssertEqual(result.artifacts.first?.mime, "audio/mp4")
        let report = try ProbeReport(path: file)
        XCTAssertEqual(report.audio?["codec_name"] as? String, "aac")
        XCTAssertEqual(report.audio?["channels"] as? Int, 2)
        XCTAssertEqual(report.audio?["sample_rate"] as? String, "44100")
    }

    func testExtractAudioFromAVideoWithoutAudioIsInvalidInputSayingSo() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let context = try DirectContext(parameters: ["input": .string(try videoOnly(media))], directory: media.directory + "/data")
        let failure = await stageFailure(of: ExtractAudioStage(), context)
        XCTAssertEqual(failure?.kind, .invalidInput)
        XCTAssertTrue(failure?.message.contains("no audio stream") == true, failure?.message ?? "")
        let leftovers = try? FileManager.default.contentsOfDirectory(atPath: media.directory + "/data/tmp")
        XCTAssertEqual(leftovers ?? [], [])
    }

    func testExtractAudioRefusesAnUnknownFormatAndAnImpossibleRate() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let clip = try media.clip()
        let ogg = try DirectContext(parameters: ["input": .string(clip), "audio_format": "ogg"], directory: media.directory + "/data")
        let format = await stageFailure(of: ExtractAudioStage(), ogg)
        XCTAssertEqual(format?.kind, .invalidInput)
        XCTAssertTrue(format?.message.contains("wav, flac, mp3, m4a") == true, format?.message ?? "")
        let rate = try DirectContext(parameters: ["input": .string(clip), "audio_format": "mp3", "sample_rate": 12345],
                                     directory: media.directory + "/data")
        let failure = await stageFailure(of: ExtractAudioStage(), rate)
        XCTAssertEqual(failure?.kind, .invalidInput)
        XCTAssertTrue(failure?.message.contains("sample rates") == true, failure?.message ?? "")
    }

    func testMuxSubtitlesAddsAMovTextTrackTaggedWithTheMappedLanguage() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let clip = try media.clip()
        let context = try DirectContext(parameters: ["input": .string(clip), "subtitles": .string(try srt(media)), "language": "zh"],
                                        directory: media.directory + "/data")
        let result = try await MuxSubtitlesStage().run(context)
        XCTAssertEqual(result.outputs["subtitle_codec"], "mov_text")
        let file = try XCTUnwrap(result.outputs["file"]?.stringValue)
        XCTAssertTrue(file.hasSuffix(".mp4"), file)
        let report = try ProbeReport(path: file)
        let subtitle = try XCTUnwrap(report.streams.first { $0["codec_type"] as? String == "subtitle" })
        XCTAssertEqual((subtitle["tags"] as? [String: Any])?["language"] as? String, "zho")
        XCTAssertEqual(report.frameCount, try ProbeReport(path: clip).frameCount)
    }

    func testMuxSubtitlesRefusesAnUnknownLanguageAndANonSubtitleFile() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let clip = try media.clip()
        let language = try DirectContext(parameters: ["input": .string(clip), "subtitles": .string(try srt(media)), "language": "klingon!"],
                                         directory: media.directory + "/data")
        let bad = await stageFailure(of: MuxSubtitlesStage(), language)
        XCTAssertEqual(bad?.kind, .invalidInput)
        XCTAssertTrue(bad?.message.contains("ISO 639-2") == true, bad?.message ?? "")
        let notes = try media.notAnImage("notes.srt")
        let notSubtitles = try DirectContext(parameters: ["input": .string(clip), "subtitles": .string(notes)],
                                             directory: media.directory + "/data")
        let failure = await stageFailure(of: MuxSubtitlesStage(), notSubtitles)
        XCTAssertEqual(failure?.kind, .invalidInput)
    }

    /// Through the engine: extract_audio takes the previous stage's file by default; mux_subtitles takes the video and an SRT.
    func testAChainExtractsAudioAndMuxesSubtitles() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let world = try ProvidersWorld()
        defer { world.cleanUp() }
        let definition = try world.definition("""
            name: audio-and-subtitles
            inputs:
              video: { type: file, required: true }
              subtitles: { type: file, required: true }
            stages:
              - id: probe
                uses: ffmpeg.probe
                with: { input: "${{ inputs.video }}" }
              - id: audio
                uses: ffmpeg.extract_audio
                with: { audio_format: flac }
              - id: mux
                uses: ffmpeg.mux_subtitles
                needs: [probe]
                with: { input: "${{ inputs.video }}", subtitles: "${{ inputs.subtitles }}", language: eng }
            """)
        let run = try await world.run(definition, inputs: ["video": .string(try media.clip()), "subtitles": .string(try srt(media))])
        XCTAssertEqual(run.status, .completed, "\(String(describing: run.error))")
        let stages = try await world.stages(run.id)
        XCTAssertEqual(stages["audio"]?.output?["format"], "flac")
        let audio = try ProbeReport(path: try XCTUnwrap(stages["audio"]?.output?["file"]?.stringValue))
        XCTAssertEqual(audio.audio?["codec_name"] as? String, "flac")
        XCTAssertEqual(stages["mux"]?.output?["subtitle_codec"], "mov_text")
    }

    func testAMuxAfterAStageWithoutAFileOutputDoesNotValidate() throws {
        let world = try ProvidersWorld()
        defer { world.cleanUp() }
        XCTAssertThrowsError(try world.definition("""
            name: bad-chain
            stages:
              - id: first
                uses: video.generate
                with: { prompt: hi }
              - id: mux
                uses: ffmpeg.mux_subtitles
                with: { input: /tmp/video.mp4 }
            """)) { error in
            XCTAssertTrue("\(error)".contains("has no output 'file'"), "\(error)")
        }
    }
}
