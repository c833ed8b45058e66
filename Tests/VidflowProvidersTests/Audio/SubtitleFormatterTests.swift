import Foundation
import VidflowCore
@testable import VidflowProviders
import XCTest

/// Subtitle formatting: exact SRT/WebVTT text (Chinese included), wrapping, splitting, timestamps.
final class SubtitleFormatterTests: XCTestCase {
    func testTimestampsUseCommaInSRTDotInVTTAndNeverGoNegative() {
        XCTAssertEqual(SubtitleRenderer.timestamp(62.345, separator: ","), "00:01:02,345")
        XCTAssertEqual(SubtitleRenderer.timestamp(62.345, separator: "."), "00:01:02.345")
        XCTAssertEqual(SubtitleRenderer.timestamp(3723.4567, separator: "."), "01:02:03.457")
        XCTAssertEqual(SubtitleRenderer.timestamp(0.0004, separator: ","), "00:00:00,000")
        XCTAssertEqual(SubtitleRenderer.timestamp(59.9996, separator: ","), "00:01:00,000")
        XCTAssertEqual(SubtitleRenderer.timestamp(-3, separator: ","), "00:00:00,000")
    }

    func testChineseAndEnglishSegmentsWithSpeakersRenderExactSRTAndVTT() {
        let segments = [
            TranscriptSegment(start: 0, end: 2.5, text: "你好，世界。", speaker: "SPEAKER_00"),
            TranscriptSegment(start: 2.5, end: 4, text: " Hello there ", speaker: "SPEAKER_01"),
        ]
        let cues = SubtitleFormatter().cues(segments)
        XCTAssertEqual(SubtitleRenderer.srt(cues), """
            1
            00:00:00,000 --> 00:00:02,500
            SPEAKER_00: 你好，世界。

            2
            00:00:02,500 --> 00:00:04,000
            SPEAKER_01: Hello there


            """)
        XCTAssertEqual(SubtitleRenderer.vtt(cues), """
            WEBVTT

            00:00:00.000 --> 00:00:02.500
            SPEAKER_00: 你好，世界。

            00:00:02.500 --> 00:00:04.000
            SPEAKER_01: Hello there


            """)
    }

    func testChineseWrapsBetweenAnyCharactersButNeverBeforeClosingPunctuation() {
        // Width 10 columns = 5 Chinese characters a line, 2 lines a cue.
        let formatter = SubtitleFormatter(maxLineWidth: 10, maxLines: 2, maxDuration: 7)
        let cues = formatter.cues([TranscriptSegment(start: 0, end: 3, text: "今天天气很好，我们去公园散步吧。")])
        XCTAssertEqual(SubtitleRenderer.srt(cues), """
            1
            00:00:00,000 --> 00:00:01,875
            今天天气很
            好，我们去

            2
            00:00:01,875 --> 00:00:03,000
            公园散步
            吧。


            """)
        for line in cues.flatMap(\.lines) {
            XCTAssertFalse(line.hasPrefix("，") || line.hasPrefix("。"), line)
        }
    }

    func testLatinTextWrapsAtSpacesWithinTheLineWidth() {
        let formatter = SubtitleFormatter(maxLineWidth: 20)
        let cues = formatter.cues([TranscriptSegment(start: 0, end: 4, text: "The quick brown fox jumps over the lazy dog")])
        XCTAssertEqual(cues.map(\.lines), [["The quick brown fox", "jumps over the lazy"], ["dog"]])
        XCTAssertEqual(cues.map { SubtitleRenderer.timestamp($0.end, separator: ",") }, ["00:00:03,657", "00:00:04,000"])
        XCTAssertTrue(cues.flatMap(\.lines).allSatisfy { $0.count <= 20 })
    }

    func testAWordWiderThanALineIsCutAtTheWidth() {
        let cues = SubtitleFormatter(maxLineWidth: 10).cues([TranscriptSegment(start: 0, end: 1, text: "see https://example.com/abc")])
        XCTAssertEqual(cues.flatMap(\.lines), ["see", "https://ex", "ample.com/", "abc"])
    }

    func testASegmentLongerThanMaxDurationIsSplitIntoShorterContiguousCues() {
        let formatter = SubtitleFormatter(maxDuration: 7)
        let cues = formatter.cues([TranscriptSegment(start: 10, end: 30, text: "one two three four five six", speaker: "SPEAKER_01")])
        XCTAssertEqual(cues.map(\.text), ["SPEAKER_01: one two three", "SPEAKER_01: four", "SPEAKER_01: five six"])
        XCTAssertEqual(cues.first?.start, 10)
        XCTAssertEqual(cues.last?.end, 30)
        for (cue, next) in zip(cues, cues.dropFirst()) { XCTAssertEqual(cue.end, next.start, accuracy: 1e-9) }
        XCTAssertTrue(cues.allSatisfy { $0.end - $0.start <= 7 + 1e-9 })
    }

    func testNoCueOutlastsMaxDurationEvenWhenItsTextIsMostOfTheSegment() {
        // Time shared by width alone would give the long word 12.4 of the 13 seconds.
        let formatter = SubtitleFormatter(maxLineWidth: 20, maxLines: 1, maxDuration: 7)
        let cues = formatter.cues([TranscriptSegment(start: 0, end: 13, text: "abcdefghijklmnopqrst u")])
        XCTAssertEqual(cues.map(\.text), ["abcdefghijklmnopqrst", "u"])
        XCTAssertEqual(cues.map(\.end), [6.5, 13])
    }

    func testCuesAreOrderedNeverNegativeAndNeverOverlap() {
        let cues = SubtitleFormatter().cues([
            TranscriptSegment(start: 2, end: 5, text: "b"),
            TranscriptSegment(start: -1, end: 3, text: "a"),
            TranscriptSegment(start: 4.5, end: 4, text: "c"),
            TranscriptSegment(start: 6, end: 7, text: "   "),
        ])
        XCTAssertEqual(cues.map(\.text), ["a", "b", "c"])
        XCTAssertEqual(cues.map(\.start), [0, 2, 4.5])
        XCTAssertEqual(cues.map(\.end), [2, 4.5, 5.5])
    }

    func testVTTEscapesMarkupAndNoCueTextCanEndItsCueEarly() {
        let cues = SubtitleFormatter().cues([TranscriptSegment(start: 0, end: 1, text: "a < b & c --> d\n\ne")])
        XCTAssertEqual(SubtitleRenderer.srt(cues), "1\n00:00:00,000 --> 00:00:01,000\na < b & c -> d e\n\n")
        XCTAssertEqual(SubtitleRenderer.vtt(cues), "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\na &lt; b &amp; c -&gt; d e\n\n")
    }

    func testSpeakerLabelsCanBeLeftOut() {
        let cues = SubtitleFormatter(speakerLabels: false).cues([TranscriptSegment(start: 0, end: 1, text: "hi", speaker: "SPEAKER_00")])
        XCTAssertEqual(cues.map(\.text), ["hi"])
    }

    func testJSONListsCuesWithSpeakersAndRoundedTimes() throws {
        let cues = SubtitleFormatter().cues([TranscriptSegment(start: 0.1234, end: 1.5, text: "你好", speaker: "SPEAKER_00")])
        let json = try JSONValue.parse(SubtitleRenderer.json(cues))
        XCTAssertEqual(json["cues"], [["index": 1, "start": 0.123, "end": 1.5, "text": "SPEAKER_00: 你好",
                                      "lines": ["SPEAKER_00: 你好"], "speaker": "SPEAKER_00"]])
    }
}
