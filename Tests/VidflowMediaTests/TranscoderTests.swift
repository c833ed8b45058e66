import Foundation
import VidflowTestSupport
import XCTest
@testable import VidflowMedia

final class TranscoderTests: XCTestCase {
    func testTranscodeCopiesAACAndMakesFaststartMP4() throws {
        let fx = try fixtures()
        let output = fx.path("out.mp4")
        let result = try Transcoder.transcode(input: fx.clip, output: output,
                                              options: TranscodeOptions(quality: .low, width: 240, fps: 30))
        XCTAssertEqual(result.width, 240)
        XCTAssertEqual(result.height, 136)
        XCTAssertTrue(result.hasAudio)
        XCTAssertTrue(result.audioCopied)
        XCTAssertEqual(result.frames, 60)
        let report = try ProbeReport(path: output)
        XCTAssertEqual(report.video?["codec_name"] as? String, "h264")
        XCTAssertEqual(report.video?["pix_fmt"] as? String, "yuv420p")
        XCTAssertEqual(report.video?["width"] as? Int, 240)
        XCTAssertEqual(report.video?["height"] as? Int, 136)
        XCTAssertEqual(report.fps, 30, accuracy: 0.01)
        XCTAssertEqual(report.frameCount, 60)
        XCTAssertEqual(report.audio?["codec_name"] as? String, "aac")
        XCTAssertEqual(report.duration, 2.0, accuracy: 1.0 / 30 + 0.03)
        let boxes = try topLevelBoxes(output)
        let moov = try XCTUnwrap(boxes.firstIndex(of: "moov"))
        let mdat = try XCTUnwrap(boxes.firstIndex(of: "mdat"))
        XCTAssertLessThan(moov, mdat, "moov must come before mdat (+faststart): \(boxes)")
    }
}

final class TranscoderAudioTests: XCTestCase {
    func testPCMAudioIsEncodedToAACAndHeightKeepsAspect() throws {
        let fx = try fixtures()
        let output = fx.path("pcm.mp4")
        let result = try Transcoder.transcode(input: fx.pcmClip, output: output,
                                              options: TranscodeOptions(quality: .low, height: 120, fps: 24))
        XCTAssertEqual(result.width, 214)
        XCTAssertEqual(result.height, 120)
        XCTAssertTrue(result.hasAudio)
        XCTAssertFalse(result.audioCopied)
        XCTAssertEqual(result.frames, 48)
        let report = try ProbeReport(path: output)
        XCTAssertEqual(report.video?["width"] as? Int, 214)
        XCTAssertEqual(report.fps, 24, accuracy: 0.01)
        XCTAssertEqual(report.frameCount, 48)
        XCTAssertEqual(report.audio?["codec_name"] as? String, "aac")
        XCTAssertEqual(report.audio?["sample_rate"] as? String, "22050")
        XCTAssertEqual(report.audio?["channels"] as? Int, 1)
        let audioDuration = Double(report.audio?["duration"] as? String ?? "") ?? 0
        XCTAssertEqual(audioDuration, 2.0, accuracy: 0.1)
    }

    func testMP3AudioIsEncodedAndBothSidesLetterbox() throws {
        let fx = try fixtures()
        let output = fx.path("mp3.mp4")
        let result = try Transcoder.transcode(input: fx.mp3Clip, output: output,
                                              options: TranscodeOptions(quality: .high, width: 200, height: 200, fps: 30))
        XCTAssertEqual(result.width, 200)
        XCTAssertEqual(result.height, 200)
        XCTAssertFalse(result.audioCopied)
        XCTAssertEqual(result.frames, 30)
        let report = try ProbeReport(path: output)
        XCTAssertEqual(report.audio?["codec_name"] as? String, "aac")
        XCTAssertEqual(report.audio?["channels"] as? Int, 2)
        XCTAssertEqual(report.video?["height"] as? Int, 200)
        let grey = try greyPixels(output)
        XCTAssertEqual(grey.count, 200 * 200)
        XCTAssertLessThan(Int(grey[0]), 24, "letterbox bars should be black")
        XCTAssertGreaterThan(grey[(100 * 200)..<(101 * 200)].map(Int.init).reduce(0, +) / 200, 24)
    }

    func testProgressCancellationAndNoPartialOutput() throws {
        let fx = try fixtures()
        let output = fx.path("cancelled.mp4")
        XCTAssertThrowsError(try Transcoder.transcode(input: fx.clip, output: output, options: TranscodeOptions(width: 160),
                                                      isCancelled: { true })) { error in
            XCTAssertEqual(error as? MediaError, .cancelled)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: fx.directory).filter { $0.hasSuffix(".partial") }
        XCTAssertEqual(leftovers, [])

        let seen = ProgressLog()
        _ = try Transcoder.transcode(input: fx.clip, output: fx.path("progress.mp4"), options: TranscodeOptions(width: 160),
                                     progress: { seen.append($0) })
        let values = seen.values
        XCTAssertEqual(values.last, 1)
        XCTAssertEqual(values, values.sorted())
        XCTAssertGreaterThan(values.count, 5)
    }

    func testInvalidOptionsAreRejected() throws {
        let fx = try fixtures()
        XCTAssertThrowsError(try Transcoder.transcode(input: fx.clip, output: fx.path("x.mp4"), options: TranscodeOptions(fps: 0)))
        XCTAssertThrowsError(try Transcoder.transcode(input: fx.clip, output: fx.path("x.mp4"), options: TranscodeOptions(preset: "warp")))
        XCTAssertThrowsError(try Transcoder.transcode(input: fx.clip, output: fx.path("x.mp4"), options: TranscodeOptions(width: 40000)))
        XCTAssertThrowsError(try Transcoder.transcode(input: fx.clip, output: "/nonexistent-dir/x.mp4", options: TranscodeOptions())) { error in
            guard case .outputFailed = error as? MediaError else { return XCTFail("\(error)") }
        }
    }
}

/// Collects progress values from a `@Sendable` callback.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Double] = []
    func append(_ value: Double) { lock.lock(); storage.append(value); lock.unlock() }
    var values: [Double] { lock.lock(); defer { lock.unlock() }; return storage }
}
