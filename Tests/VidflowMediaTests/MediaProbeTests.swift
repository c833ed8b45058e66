import Foundation
import VidflowTestSupport
import XCTest
@testable import VidflowMedia

final class MediaProbeTests: XCTestCase {
    func testProbeReportsVideoAndAudio() throws {
        let fx = try fixtures()
        let info = try MediaProbe.probe(path: fx.clip)
        XCTAssertEqual(info.duration, 2.0, accuracy: 0.05)
        XCTAssertTrue(info.formatName.contains("mp4"))
        XCTAssertGreaterThan(info.size, 0)
        XCTAssertGreaterThan(info.bitRate, 0)
        XCTAssertEqual(info.streams.count, 2)
        let video = try XCTUnwrap(info.video)
        XCTAssertEqual(video.codec, "h264")
        XCTAssertEqual(video.width, 320)
        XCTAssertEqual(video.height, 180)
        XCTAssertEqual(video.fps, 25, accuracy: 0.01)
        XCTAssertEqual(video.pixelFormat, "yuv420p")
        XCTAssertEqual(video.frameCount, 50)
        XCTAssertEqual(info.audio, AudioStreamInfo(codec: "aac", sampleRate: 44100, channels: 1))
        let roundTrip = try JSONDecoder().decode(MediaInfo.self, from: JSONEncoder().encode(info))
        XCTAssertEqual(roundTrip, info)
    }

    func testProbePCMMatroska() throws {
        let fx = try fixtures()
        let info = try MediaProbe.probe(path: fx.pcmClip)
        XCTAssertEqual(info.audio?.codec, "pcm_s16le")
        XCTAssertEqual(info.audio?.sampleRate, 22050)
        XCTAssertEqual(info.video?.width, 320)
    }

    func testImageProbeFormats() throws {
        let fx = try fixtures()
        XCTAssertEqual(try ImageProbe.inspect(path: fx.png), ImageInfo(width: 64, height: 48, codec: "png", mime: "image/png"))
        XCTAssertEqual(try ImageProbe.inspect(path: fx.jpeg), ImageInfo(width: 120, height: 80, codec: "mjpeg", mime: "image/jpeg"))
        XCTAssertEqual(try ImageProbe.inspect(path: fx.webp), ImageInfo(width: 100, height: 60, codec: "webp", mime: "image/webp"))
        XCTAssertThrowsError(try ImageProbe.inspect(path: fx.clip)) { error in
            guard case .notAnImage = error as? MediaError else { return XCTFail("\(error)") }
        }
    }

    func testErrorsDescribeThemselves() {
        let error = MediaError.ffmpeg(operation: "opening x", code: -2, message: "No such file or directory")
        XCTAssertEqual(error.description, "opening x failed: No such file or directory (FFmpeg error -2)")
        XCTAssertTrue(ffmpegMessage(AVCode.invalidData).contains("Invalid data"))
        XCTAssertThrowsError(try check(AVCode.invalidData, "parsing")) { error in
            guard case .ffmpeg(let operation, let code, _) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertEqual(operation, "parsing")
            XCTAssertEqual(code, AVCode.invalidData)
        }
    }
}
