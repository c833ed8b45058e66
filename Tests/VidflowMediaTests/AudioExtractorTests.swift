import Foundation
@testable import VidflowMedia
import VidflowTestSupport
import XCTest

final class AudioExtractorTests: XCTestCase {
    func testDefaultExtractionIsPCM16kHzMonoWAV() throws {
        let fx = try fixtures()
        let output = fx.path("speech.wav")
        let result = try AudioExtractor.extract(input: fx.clip, output: output)
        XCTAssertEqual(result, AudioExtractResult(format: .wav, sampleRate: 16000, channels: 1, duration: result.duration))
        XCTAssertEqual(result.duration, 2, accuracy: 0.05)
        let report = try ProbeReport(path: output)
        XCTAssertEqual(report.video == nil, true)
        XCTAssertEqual(report.audio?["codec_name"] as? String, "pcm_s16le")
        XCTAssertEqual(report.audio?["sample_rate"] as? String, "16000")
        XCTAssertEqual(report.audio?["channels"] as? Int, 1)
        XCTAssertEqual(report.duration, 2, accuracy: 0.05)
    }

    func testEachFormatHasItsCodecRateChannelsAndDuration() throws {
        let fx = try fixtures()
        let cases: [AudioExtractOptions] = [
            AudioExtractOptions(format: .wav, sampleRate: 22050, channels: 2),
            AudioExtractOptions(format: .flac, sampleRate: 44100, channels: 2),
            AudioExtractOptions(format: .mp3, sampleRate: 16000, channels: 1),
            AudioExtractOptions(format: .m4a, sampleRate: 48000, channels: 2),
        ]
        for options in cases {
            let output = fx.path("audio.\(options.format.fileExtension)")
            let result = try AudioExtractor.extract(input: fx.clip, output: output, options: options)
            XCTAssertEqual(result.sampleRate, options.sampleRate)
            XCTAssertEqual(result.channels, options.channels)
            let report = try ProbeReport(path: output)
            let what = "\(options.format)"
            XCTAssertEqual(report.streams.count, 1, what)
            XCTAssertEqual(report.audio?["codec_name"] as? String, options.format.codecName, what)
            XCTAssertEqual(report.audio?["sample_rate"] as? String, String(options.sampleRate), what)
            XCTAssertEqual(report.audio?["channels"] as? Int, options.channels, what)
            // MP3 and AAC files count their encoder delay and padding (ffprobe says 2.124 s for the ffmpeg CLI's MP3 too).
            XCTAssertEqual(report.duration, 2, accuracy: options.format == .mp3 || options.format == .m4a ? 0.15 : 0.05, what)
            XCTAssertEqual(result.duration, 2, accuracy: 0.05, what)
        }
    }

    /// The 440 Hz sine of the clip is still a 440 Hz sine: about 880 sign changes per second.
    func testTheExtractedSamplesAreTheSourceTone() throws {
        let fx = try fixtures()
        let output = fx.path("tone.wav")
        _ = try AudioExtractor.extract(input: fx.clip, output: output)
        let samples = try wavSamples(output)
        XCTAssertEqual(Double(samples.count), 32000, accuracy: 400)
        let middle = samples[8000..<24000]   // one second
        let crossings = zip(middle, middle.dropFirst()).filter { ($0 < 0) != ($1 < 0) }.count
        XCTAssertEqual(Double(crossings), 880, accuracy: 6)
        XCTAssertGreaterThan(middle.map { abs(Int($0)) }.max() ?? 0, 1000, "the tone is audible, not silence")
    }

    func testAudioInMatroskaWithPCMExtractsToFLAC() throws {
        let fx = try fixtures()
        let output = fx.path("pcm.flac")
        let result = try AudioExtractor.extract(input: fx.pcmClip, output: output,
                                                options: AudioExtractOptions(format: .flac, sampleRate: 22050, channels: 1))
        XCTAssertEqual(result.duration, 2, accuracy: 0.05)
        XCTAssertEqual(try ProbeReport(path: output).audio?["codec_name"] as? String, "flac")
    }

    func testAnAudioFileIsAnInputToo() throws {
        let fx = try fixtures()
        let wav = fx.path("first.wav")
        _ = try AudioExtractor.extract(input: fx.mp3Clip, output: wav, options: AudioExtractOptions(format: .wav, sampleRate: 44100, channels: 2))
        let output = fx.path("second.mp3")
        let result = try AudioExtractor.extract(input: wav, output: output, options: AudioExtractOptions(format: .mp3, sampleRate: 44100, channels: 2))
        XCTAssertEqual(result.duration, 1, accuracy: 0.1)
        XCTAssertEqual(try ProbeReport(path: output).audio?["codec_name"] as? String, "mp3")
    }

    func testAVideoWithoutAudioIsNoAudioStreamAndWritesNothing() throws {
        let fx = try fixtures()
        let output = fx.path("none.wav")
        XCTAssertThrowsError(try AudioExtractor.extract(input: fx.tinyClip, output: output)) { error in
            XCTAssertEqual(error as? MediaError, .noAudioStream(path: fx.tinyClip))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
        XCTAssertEqual(try leftovers(in: fx.directory, matching: "none.wav"), [])
    }

    func testARateTheEncoderCannotTakeIsRefusedNamingTheRates() throws {
        let fx = try fixtures()
        let output = fx.path("bad.mp3")
        XCTAssertThrowsError(try AudioExtractor.extract(input: fx.clip, output: output,
                                                        options: AudioExtractOptions(format: .mp3, sampleRate: 96000))) { error in
            guard case .invalidOptions(let message) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("44100"), message)
        }
        XCTAssertThrowsError(try AudioExtractor.extract(input: fx.clip, output: output,
                                                        options: AudioExtractOptions(format: .mp3, channels: 6))) { error in
            guard case .invalidOptions(let message) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("1 or 2"), message)
        }
        XCTAssertThrowsError(try AudioExtractor.extract(input: fx.clip, output: output, options: AudioExtractOptions(channels: 0)))
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
    }

    func testCancellationStopsAndLeavesNoOutput() throws {
        let fx = try fixtures()
        let output = fx.path("cancelled.flac")
        XCTAssertThrowsError(try AudioExtractor.extract(input: fx.clip, output: output, options: AudioExtractOptions(format: .flac),
                                                        isCancelled: { true })) { error in
            XCTAssertEqual(error as? MediaError, .cancelled)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
    }
}

/// The 16-bit samples of a WAV file's `data` chunk (first channel interleaved as written).
func wavSamples(_ path: String) throws -> [Int16] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    var offset = 12
    while offset + 8 <= data.count {
        let id = String(decoding: data[offset..<offset + 4], as: UTF8.self)
        let size = data[offset + 4..<offset + 8].reversed().reduce(0) { $0 << 8 | Int($1) }
        if id == "data" {
            let body = data[offset + 8..<min(data.count, offset + 8 + size)]
            return stride(from: body.startIndex, to: body.endIndex - 1, by: 2).map {
                Int16(bitPattern: UInt16(body[$0]) | UInt16(body[$0 + 1]) << 8)
            }
        }
        offset += 8 + size + (size & 1)
    }
    throw ToolError(message: "no data chunk in \(path)")
}

/// Files in `directory` whose name contains `fragment` (temporary `.partial` files included).
func leftovers(in directory: String, matching fragment: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(fragment) }
}
