import Foundation
import VidflowTestSupport
import XCTest
import VidflowMedia

final class ThumbnailerTests: XCTestCase {
    func testThumbnailIsJPEGOfRequestedSize() throws {
        let fx = try fixtures()
        let output = fx.path("thumb.jpg")
        let size = try Thumbnailer.thumbnail(input: fx.clip, output: output,
                                             options: ThumbnailOptions(width: 160, height: 90, quality: 80))
        XCTAssertEqual(size.width, 160)
        XCTAssertEqual(size.height, 90)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: output))
        XCTAssertEqual(Array(bytes.prefix(2)), [0xFF, 0xD8])
        let report = try ProbeReport(path: output)
        XCTAssertEqual(report.video?["codec_name"] as? String, "mjpeg")
        XCTAssertEqual(report.video?["width"] as? Int, 160)
        XCTAssertEqual(report.video?["height"] as? Int, 90)
        XCTAssertEqual(try ImageProbe.inspect(path: output).mime, "image/jpeg")
    }

    func testLetterboxAndCropDiffer() throws {
        let fx = try fixtures()
        let letterbox = fx.path("letterbox.jpg"), crop = fx.path("crop.jpg")
        _ = try Thumbnailer.thumbnail(input: fx.clip, output: letterbox, options: ThumbnailOptions(width: 120, height: 120, fit: .letterbox))
        _ = try Thumbnailer.thumbnail(input: fx.clip, output: crop, options: ThumbnailOptions(width: 120, height: 120, fit: .crop))
        let boxed = try greyPixels(letterbox), cropped = try greyPixels(crop)
        XCTAssertEqual(boxed.count, 120 * 120)
        XCTAssertEqual(cropped.count, 120 * 120)
        XCTAssertNotEqual(boxed, cropped)
        let topRow = { (pixels: [UInt8]) in pixels[0..<120].map(Int.init).reduce(0, +) / 120 }
        XCTAssertLessThan(topRow(boxed), 20, "letterbox has black bars above the picture")
        XCTAssertGreaterThan(topRow(cropped), 20, "crop fills the frame")
    }

    func testAtPicksALaterFrameAndQualityChangesSize() throws {
        let fx = try fixtures()
        let first = fx.path("first.jpg"), later = fx.path("later.jpg"), small = fx.path("small.jpg")
        _ = try Thumbnailer.thumbnail(input: fx.clip, output: first, options: ThumbnailOptions(width: 160, height: 90))
        _ = try Thumbnailer.thumbnail(input: fx.clip, output: later, options: ThumbnailOptions(width: 160, height: 90, at: 1.2))
        _ = try Thumbnailer.thumbnail(input: fx.clip, output: small, options: ThumbnailOptions(width: 160, height: 90, quality: 5))
        XCTAssertNotEqual(try greyPixels(first), try greyPixels(later))
        // The same frame taken by the ffmpeg CLI at 1.2 s should look like ours.
        let reference = try [UInt8](runTool("ffmpeg", ["-v", "error", "-ss", "1.2", "-i", fx.clip, "-frames:v", "1",
                                                       "-vf", "scale=160:90", "-f", "rawvideo", "-pix_fmt", "gray", "-"]))
        let ours = try greyPixels(later)
        XCTAssertEqual(reference.count, ours.count)
        let meanError = zip(reference, ours).map { abs(Int($0) - Int($1)) }.reduce(0, +) / max(1, ours.count)
        XCTAssertLessThan(meanError, 12)
        let size = { (path: String) in (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0 }
        XCTAssertLessThan(size(small), size(first))
    }

    func testAtBeyondTheEndUsesTheLastFrame() throws {
        let fx = try fixtures()
        let output = fx.path("end.jpg")
        XCTAssertNoThrow(try Thumbnailer.thumbnail(input: fx.clip, output: output, options: ThumbnailOptions(width: 64, height: 36, at: 60)))
        XCTAssertThrowsError(try Thumbnailer.thumbnail(input: fx.clip, output: output, options: ThumbnailOptions(width: 0, height: 36)))
        XCTAssertThrowsError(try Thumbnailer.thumbnail(input: fx.clip, output: output, options: ThumbnailOptions(quality: 0)))
    }
}
