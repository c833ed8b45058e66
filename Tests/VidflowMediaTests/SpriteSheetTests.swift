import Foundation
import VidflowTestSupport
import XCTest
@testable import VidflowMedia

final class SpriteSheetTests: XCTestCase {
    /// A 320x180 clip fading from black to white over `seconds`, so each moment has its own brightness.
    private func fadeClip(_ fx: MediaFixtures, seconds: Int, keyframeInterval: Int) throws -> String {
        let path = fx.path("fade-g\(keyframeInterval).mp4")
        try runTool("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
                               "-i", "color=c=white:s=320x180:r=25:d=\(seconds),fade=t=in:st=0:d=\(seconds)",
                               "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                               "-g", "\(keyframeInterval)", path])
        return path
    }

    /// Mean grey level of the inner half of each tile, row by row.
    private func tileMeans(_ path: String, _ sheet: SpriteSheetResult) throws -> [Double] {
        let pixels = try greyPixels(path)
        XCTAssertEqual(pixels.count, sheet.width * sheet.height)
        var means: [Double] = []
        for tile in 0..<(sheet.columns * sheet.rows) {
            let left = (tile % sheet.columns) * sheet.tileWidth, top = (tile / sheet.columns) * sheet.tileHeight
            var sum = 0, count = 0
            for y in (top + sheet.tileHeight / 4)..<(top + 3 * sheet.tileHeight / 4) {
                for x in (left + sheet.tileWidth / 4)..<(left + 3 * sheet.tileWidth / 4) {
                    sum += Int(pixels[y * sheet.width + x])
                    count += 1
                }
            }
            means.append(Double(sum) / Double(count))
        }
        return means
    }

    func testSheetIsAJPEGGridOfEvenlySpacedFramesInTimeOrder() throws {
        let fx = try fixtures()
        // One keyframe only (decoded straight through) and one every 10 frames (sought between tiles).
        for interval in [250, 10] {
            let clip = try fadeClip(fx, seconds: 4, keyframeInterval: interval)
            let output = fx.path("sheet.jpg")
            let sheet = try SpriteSheet.make(input: clip, output: output, options: SpriteSheetOptions(columns: 5, rows: 4, tileWidth: 96))
            XCTAssertEqual(sheet.tileWidth, 96)
            XCTAssertEqual(sheet.tileHeight, 54, "height from the 16:9 aspect")
            XCTAssertEqual(sheet.width, 5 * 96)
            XCTAssertEqual(sheet.height, 4 * 54)
            XCTAssertEqual(sheet.frameTimes.count, 20)
            XCTAssertEqual(sheet.frameTimes.first ?? -1, 0.1, accuracy: 0.001)
            XCTAssertEqual(sheet.frameTimes.last ?? -1, 3.9, accuracy: 0.001)
            let report = try ProbeReport(path: output)
            XCTAssertEqual(report.video?["codec_name"] as? String, "mjpeg")
            XCTAssertEqual(report.video?["width"] as? Int, 480)
            XCTAssertEqual(report.video?["height"] as? Int, 216)
            let means = try tileMeans(output, sheet)
            for (index, pair) in zip(means, means.dropFirst()).enumerated() {
                XCTAssertLessThan(pair.0, pair.1, "tile \(index + 1) is later, so brighter (g=\(interval)): \(means)")
            }
            for (mean, time) in zip(means, sheet.frameTimes) {
                XCTAssertEqual(mean, 255 * time / 4, accuracy: 20, "tile at \(time) s shows that moment (g=\(interval))")
            }
        }
    }

    func testMoreTilesThanFramesRepeatsFramesAndDefaultIsFiveByFive() throws {
        let fx = try fixtures()
        let output = fx.path("tiny-sheet.jpg")
        let sheet = try SpriteSheet.make(input: fx.tinyClip, output: output)
        XCTAssertEqual(sheet.columns, 5)
        XCTAssertEqual(sheet.rows, 5)
        XCTAssertEqual(sheet.width, 5 * 256)
        XCTAssertEqual(sheet.height, 5 * 144)
        XCTAssertEqual(try ProbeReport(path: output).video?["width"] as? Int, 1280)
        let means = try tileMeans(output, sheet)
        XCTAssertNotEqual(means.first, means.last, "testsrc2 moves, so the first and last tiles differ")
    }

    func testCancellationAndBadOptionsLeaveNoFile() throws {
        let fx = try fixtures()
        let output = fx.path("cancelled.jpg")
        XCTAssertThrowsError(try SpriteSheet.make(input: fx.clip, output: output, isCancelled: { true })) { error in
            XCTAssertEqual(error as? MediaError, .cancelled)
        }
        for options in [SpriteSheetOptions(columns: 0), SpriteSheetOptions(rows: 21), SpriteSheetOptions(tileWidth: 8),
                        SpriteSheetOptions(quality: 0), SpriteSheetOptions(columns: 20, tileWidth: 1920)] {
            XCTAssertThrowsError(try SpriteSheet.make(input: fx.clip, output: output, options: options), "\(options)")
        }
        XCTAssertThrowsError(try SpriteSheet.make(input: fx.png + ".missing", output: output))
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: fx.directory).filter { $0.hasSuffix(".partial") }
        XCTAssertEqual(leftovers, [])
    }
}
