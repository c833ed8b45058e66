import Foundation
import VidflowCore
import VidflowProviders
import VidflowTestSupport
import XCTest

final class SpriteSheetStageTests: XCTestCase {
    /// Through the engine: the sheet takes the previous stage's file by default and reports its grid and frame times.
    func testAChainMakesASpriteSheetOfThePreviousStagesVideo() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let world = try ProvidersWorld()
        defer { world.cleanUp() }
        let definition = try world.definition("""
            name: sprites
            inputs:
              video: { type: file, required: true }
            stages:
              - id: transcode
                uses: ffmpeg.transcode
                with: { input: "${{ inputs.video }}" }
              - id: sheet
                uses: ffmpeg.spritesheet
                with: { columns: 4, rows: 2, tile_width: 96 }
            """)
        let run = try await world.run(definition, inputs: ["video": .string(try media.clip())])
        XCTAssertEqual(run.status, .completed, "\(String(describing: run.error))")
        let stages = try await world.stages(run.id)
        let output = try XCTUnwrap(stages["sheet"]?.output)
        XCTAssertEqual(output["width"], 384)
        XCTAssertEqual(output["height"], 108)
        XCTAssertEqual(output["columns"], 4)
        XCTAssertEqual(output["rows"], 2)
        let times = try XCTUnwrap(output["frame_times"]?.arrayValue).compactMap(\.doubleValue)
        XCTAssertEqual(times.count, 8)
        XCTAssertEqual(times, times.sorted())
        XCTAssertEqual(times.first ?? -1, 1.0 / 16, accuracy: 0.02, "the centre of the first eighth of a 1 s clip")
        let file = try XCTUnwrap(output["file"]?.stringValue)
        XCTAssertTrue(file.hasSuffix(".jpg"))
        XCTAssertEqual(try FileDigest.sha256(ofFile: file).hash, output["sha256"]?.stringValue)
        let report = try ProbeReport(path: file)
        XCTAssertEqual(report.video?["codec_name"] as? String, "mjpeg")
        XCTAssertEqual(report.width, 384)
        XCTAssertEqual(report.height, 108)
    }

    func testBadGridAndUnreadableVideoAreInvalidInput() async throws {
        let media = try TestMedia()
        defer { media.cleanUp() }
        let clip = try media.clip()
        let badGrid = try DirectContext(parameters: ["input": .string(clip), "columns": 0], directory: media.directory)
        let grid = await stageFailure(of: SpriteSheetStage(), badGrid)
        XCTAssertEqual(grid?.kind, .invalidInput)
        XCTAssertTrue(grid?.message.contains("columns") ?? false, "\(String(describing: grid))")
        let text = try media.notAnImage("notes.mp4")
        let unreadable = await stageFailure(of: SpriteSheetStage(), try DirectContext(parameters: ["input": .string(text)],
                                                                                     directory: media.directory))
        XCTAssertEqual(unreadable?.kind, .invalidInput)
    }
}
