import Foundation
import VidflowCore
@testable import VidflowProviders
import XCTest

/// `subtitles.generate` run as a stage: the files it stores and how it refuses bad parameters.
final class SubtitlesStageTests: XCTestCase {
    var directory = ""

    override func setUp() async throws {
        directory = NSTemporaryDirectory() + "vidflow-subtitles-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() async throws { try? FileManager.default.removeItem(atPath: directory) }

    private let segments: JSONValue = [
        ["start": 0, "end": 1.25, "text": "大家好", "speaker": "SPEAKER_00"],
        ["start": 1.25, "end": 3, "text": "Hello, everyone", "speaker": "SPEAKER_01"],
    ]

    func testWritesUTF8SRTVTTAndJSONArtifactsAndHandsOnTheSRT() async throws {
        let context = try DirectContext(parameters: ["segments": segments], directory: directory)
        let result = try await SubtitlesStage(typeName: "wservice.generate_subtitle_files").run(context)

        let srt = try XCTUnwrap(result.outputs["srt"]?.stringValue)
        XCTAssertEqual(result.outputs["file"], .string(srt))
        XCTAssertEqual(try String(contentsOfFile: srt, encoding: .utf8),
                       "1\n00:00:00,000 --> 00:00:01,250\nSPEAKER_00: 大家好\n\n2\n00:00:01,250 --> 00:00:03,000\nSPEAKER_01: Hello, everyone\n\n")
        let vtt = try XCTUnwrap(result.outputs["vtt"]?.stringValue)
        XCTAssertEqual(try String(contentsOfFile: vtt, encoding: .utf8),
                       "WEBVTT\n\n00:00:00.000 --> 00:00:01.250\nSPEAKER_00: 大家好\n\n00:00:01.250 --> 00:00:03.000\nSPEAKER_01: Hello, everyone\n\n")
        let json = try JSONValue.parse(String(contentsOfFile: try XCTUnwrap(result.outputs["json"]?.stringValue), encoding: .utf8))
        XCTAssertEqual(json["cues"]?.arrayValue?.count, 2)
        XCTAssertEqual(result.outputs["cue_count"], 2)
        XCTAssertEqual(Set(result.artifacts.compactMap(\.mime)), ["application/x-subrip", "text/vtt", "application/json"])
        XCTAssertTrue(result.artifacts.allSatisfy { FileManager.default.fileExists(atPath: $0.path) })
    }

    func testWritesOnlyTheFormatsAskedFor() async throws {
        let context = try DirectContext(parameters: ["segments": segments, "formats": "vtt"], directory: directory)
        let result = try await SubtitlesStage().run(context)
        XCTAssertNil(result.outputs["srt"])
        XCTAssertEqual(result.outputs["file"], result.outputs["vtt"])
        XCTAssertEqual(result.artifacts.count, 1)
    }

    func testRefusesAnUnknownFormatAndMalformedSegmentsNamingTheField() async throws {
        let badFormat = try DirectContext(parameters: ["segments": segments, "formats": ["srt", "ass"]], directory: directory)
        let formatFailure = await stageFailure(of: SubtitlesStage(), badFormat)
        XCTAssertEqual(formatFailure?.kind, .invalidInput)
        XCTAssertTrue(formatFailure?.message.contains("unknown format 'ass'") == true, "\(String(describing: formatFailure))")

        let badSegment = try DirectContext(parameters: ["segments": [["start": 0, "text": "no end"]]], directory: directory)
        let segmentFailure = await stageFailure(of: SubtitlesStage(), badSegment)
        XCTAssertEqual(segmentFailure?.kind, .invalidInput)
        XCTAssertTrue(segmentFailure?.message.contains("segments[0]") == true, "\(String(describing: segmentFailure))")
    }
}
