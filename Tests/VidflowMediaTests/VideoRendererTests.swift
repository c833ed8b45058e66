import Foundation
import VidflowTestSupport
import XCTest
import VidflowMedia

final class VideoRendererTests: XCTestCase {
    func testTextToVideoIsDeterministicPerSeed() throws {
        let fx = try fixtures()
        let request = RenderRequest(width: 320, height: 180, fps: 24, seconds: 1, seed: 42,
                                    prompt: "A lighthouse at dusk, waves crashing; seed-driven colours!")
        let a = fx.path("a.mp4"), b = fx.path("b.mp4"), c = fx.path("c.mp4")
        var other = request
        other.seed = 43
        try VideoRenderer.render(request, output: a)
        try VideoRenderer.render(other, output: c)
        try VideoRenderer.render(request, output: b)
        let report = try ProbeReport(path: a)
        XCTAssertEqual(report.video?["codec_name"] as? String, "h264")
        XCTAssertEqual(report.video?["pix_fmt"] as? String, "yuv420p")
        XCTAssertEqual(report.video?["width"] as? Int, 320)
        XCTAssertEqual(report.video?["height"] as? Int, 180)
        XCTAssertEqual(report.fps, 24, accuracy: 0.01)
        XCTAssertEqual(report.frameCount, 24)
        let boxes = try topLevelBoxes(a)
        XCTAssertLessThan(try XCTUnwrap(boxes.firstIndex(of: "moov")), try XCTUnwrap(boxes.firstIndex(of: "mdat")))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: a)), try Data(contentsOf: URL(fileURLWithPath: b)))
        XCTAssertNotEqual(try greyPixels(a), try greyPixels(c))
    }

    func testImageToVideoKenBurns() throws {
        let fx = try fixtures()
        let request = RenderRequest(width: 256, height: 144, fps: 30, seconds: 1.5, seed: 7, prompt: "", imagePath: fx.jpeg)
        let a = fx.path("kb.mp4"), b = fx.path("kb2.mp4")
        let seen = ProgressLog()
        try VideoRenderer.render(request, output: a, progress: { seen.append($0) })
        try VideoRenderer.render(request, output: b)
        XCTAssertEqual(seen.values.last, 1)
        let report = try ProbeReport(path: a)
        XCTAssertEqual(report.video?["width"] as? Int, 256)
        XCTAssertEqual(report.video?["height"] as? Int, 144)
        XCTAssertEqual(report.frameCount, 45)
        XCTAssertEqual(report.fps, 30, accuracy: 0.01)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: a)), try Data(contentsOf: URL(fileURLWithPath: b)))
        // First and last frames differ (the camera moved).
        let last = try [UInt8](runTool("ffmpeg", ["-v", "error", "-sseof", "-0.1", "-i", a, "-frames:v", "1",
                                                  "-f", "rawvideo", "-pix_fmt", "gray", "-"]))
        XCTAssertNotEqual(try greyPixels(a), last)
    }

    func testRendererValidatesAndCancels() throws {
        let fx = try fixtures()
        let output = fx.path("bad.mp4")
        XCTAssertThrowsError(try VideoRenderer.render(RenderRequest(width: 321, height: 180, fps: 24, seconds: 1, seed: 1, prompt: "x"),
                                                      output: output))
        XCTAssertThrowsError(try VideoRenderer.render(RenderRequest(width: 320, height: 180, fps: 24, seconds: 0, seed: 1, prompt: "x"),
                                                      output: output))
        XCTAssertThrowsError(try VideoRenderer.render(RenderRequest(width: 320, height: 180, fps: 24, seconds: 1, seed: 1, prompt: "x",
                                                                    imagePath: fx.path("missing.png")), output: output)) { error in
            guard case .fileNotFound = error as? MediaError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try VideoRenderer.render(RenderRequest(width: 64, height: 64, fps: 10, seconds: 1, seed: 1, prompt: "x"),
                                                      output: output, isCancelled: { true })) { error in
            XCTAssertEqual(error as? MediaError, .cancelled)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
    }
}
