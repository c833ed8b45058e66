import Foundation
@testable import VidflowMedia
import VidflowTestSupport
import XCTest

final class SubtitleMuxerTests: XCTestCase {
    static let srt = """
        1
        00:00:00,200 --> 00:00:00,900
        你好，世界

        2
        00:00:01,000 --> 00:00:01,500
        第二行字幕
        Second line

        3
        00:00:01,600 --> 00:00:01,950
        再见

        """

    static let vtt = """
        WEBVTT

        00:00:00.100 --> 00:00:00.600
        你好，世界

        00:00:00.700 --> 00:00:00.950
        Goodbye

        """

    private func write(_ text: String, _ name: String, _ fx: MediaFixtures) throws -> String {
        let path = fx.path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testMP4GetsAMovTextTrackWhileVideoAndAudioAreCopiedBitForBit() throws {
        let fx = try fixtures()
        let subtitles = try write(Self.srt, "zh.srt", fx)
        let output = fx.path("subtitled.mp4")
        let result = try SubtitleMuxer.mux(input: fx.clip, subtitles: subtitles, output: output, language: "zho")
        XCTAssertEqual(result.container, .mp4)
        XCTAssertEqual(result.cues, 3)
        XCTAssertEqual(result.copiedStreams, 2)

        let report = try ProbeReport(path: output)
        let subtitle = try XCTUnwrap(report.streams.first { $0["codec_type"] as? String == "subtitle" })
        XCTAssertEqual(subtitle["codec_name"] as? String, "mov_text")
        XCTAssertEqual((subtitle["tags"] as? [String: Any])?["language"] as? String, "zho")
        let source = try ProbeReport(path: fx.clip)
        XCTAssertEqual(report.video?["codec_name"] as? String, source.video?["codec_name"] as? String)
        XCTAssertEqual(report.audio?["codec_name"] as? String, source.audio?["codec_name"] as? String)
        XCTAssertEqual(report.frameCount, source.frameCount)
        for selector in ["0:v", "0:a"] {
            XCTAssertEqual(try streamMD5(output, selector), try streamMD5(fx.clip, selector), selector)
        }
        XCTAssertEqual(try extractedText(output, format: "srt").trimmingCharacters(in: .whitespacesAndNewlines), """
            1
            00:00:00,200 --> 00:00:00,900
            你好，世界

            2
            00:00:01,000 --> 00:00:01,500
            第二行字幕
            Second line

            3
            00:00:01,600 --> 00:00:01,950
            再见
            """)
        XCTAssertEqual(try topLevelBoxes(output).prefix(3).contains("moov"), true, "faststart")
    }

    func testWebMGetsAWebVTTTrackFromAVTTFile() throws {
        let fx = try fixtures()
        let webm = fx.path("clip.webm")
        try runTool("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=10",
                               "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "1",
                               "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "200k",
                               "-c:a", "libopus", "-shortest", webm])
        let subtitles = try write(Self.vtt, "zh.vtt", fx)
        let output = fx.path("subtitled.webm")
        let result = try SubtitleMuxer.mux(input: webm, subtitles: subtitles, output: output, language: "zho")
        XCTAssertEqual(result.container, .webm)
        let report = try ProbeReport(path: output)
        XCTAssertEqual(report.format["format_name"] as? String, "matroska,webm")
        let subtitle = try XCTUnwrap(report.streams.first { $0["codec_type"] as? String == "subtitle" })
        XCTAssertEqual(subtitle["codec_name"] as? String, "webvtt")
        XCTAssertEqual(try streamMD5(output, "0:v"), try streamMD5(webm, "0:v"))
        XCTAssertEqual(try streamMD5(output, "0:a"), try streamMD5(webm, "0:a"))
        // The cues keep their text and land where the ffmpeg CLI puts them muxing the same files
        // (relative to the file's start; this clip's audio starts 7 ms before its video).
        let text = try extractedText(output, format: "webvtt")
        XCTAssertTrue(text.contains("你好，世界") && text.contains("Goodbye"), text)
        let reference = fx.path("reference.webm")
        try runTool("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-i", webm, "-i", subtitles, "-map", "0", "-map", "1",
                               "-c:v", "copy", "-c:a", "copy", "-c:s", "webvtt", reference])
        XCTAssertEqual(text, try extractedText(reference, format: "webvtt"))
    }

    func testMatroskaWithH264GetsASubRipTrack() throws {
        let fx = try fixtures()
        let subtitles = try write(Self.srt, "zh.srt", fx)
        let output = fx.path("subtitled.mkv")
        let result = try SubtitleMuxer.mux(input: fx.pcmClip, subtitles: subtitles, output: output)
        XCTAssertEqual(result.container, .matroska)
        let report = try ProbeReport(path: output)
        XCTAssertEqual(report.streams.compactMap { $0["codec_name"] as? String }, ["h264", "pcm_s16le", "subrip"])
        XCTAssertEqual(try streamMD5(output, "0:v"), try streamMD5(fx.pcmClip, "0:v"))
        let text = try extractedText(output, format: "srt")
        XCTAssertTrue(text.contains("00:00:01,000 --> 00:00:01,500\n第二行字幕\nSecond line"), text)
    }

    func testAFileThatIsNotSubtitlesIsRefusedAndNothingIsWritten() throws {
        let fx = try fixtures()
        let output = fx.path("refused.mp4")
        XCTAssertThrowsError(try SubtitleMuxer.mux(input: fx.clip, subtitles: fx.tinyClip, output: output)) { error in
            guard case .invalidOptions(let message) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("not a subtitle file"), message)
        }
        let empty = try write("WEBVTT\n\n", "empty.vtt", fx)
        XCTAssertThrowsError(try SubtitleMuxer.mux(input: fx.clip, subtitles: empty, output: output)) { error in
            guard case .invalidOptions(let message) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("no subtitle cues"), message)
        }
        XCTAssertThrowsError(try SubtitleMuxer.mux(input: fx.clip, subtitles: empty, output: output, language: "chinese"))
        XCTAssertEqual(try leftovers(in: fx.directory, matching: "refused.mp4"), [])
    }

    func testAnOversizedSubtitleFileIsRefusedBeforeItIsRead() throws {
        let fx = try fixtures()
        let huge = fx.path("huge.srt")
        XCTAssertTrue(FileManager.default.createFile(atPath: huge, contents: Data("1\n".utf8)))
        XCTAssertEqual(truncate(huge, off_t(SubtitleCues.maxFileSize + 1)), 0)   // sparse: costs no disk
        XCTAssertThrowsError(try SubtitleMuxer.mux(input: fx.clip, subtitles: huge, output: fx.path("huge.mp4"))) { error in
            guard case .invalidOptions(let message) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("at most"), message)
        }
    }

    func testAnImageIsNotAVideoToSubtitle() throws {
        let fx = try fixtures()
        let subtitles = try write(Self.srt, "zh.srt", fx)
        XCTAssertThrowsError(try SubtitleMuxer.mux(input: fx.png, subtitles: subtitles, output: fx.path("image.mp4"))) { error in
            guard case .invalidOptions(let message) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("MP4, MOV, WebM or Matroska"), message)
        }
    }
}

/// The MD5 of one stream's packets, stream-copied by the ffmpeg CLI (same bytes → same hash).
func streamMD5(_ path: String, _ selector: String) throws -> String {
    String(decoding: try runTool("ffmpeg", ["-v", "error", "-i", path, "-map", selector, "-c", "copy", "-f", "md5", "-"]), as: UTF8.self)
        .trimmingCharacters(in: .whitespacesAndNewlines)
}

/// The first subtitle track of `path`, converted by the ffmpeg CLI to `format` (`srt`, `webvtt`);
/// line breaks inside a cue (which the CLI writes as CRLF) read as LF.
func extractedText(_ path: String, format: String) throws -> String {
    String(decoding: try runTool("ffmpeg", ["-v", "error", "-i", path, "-map", "0:s:0", "-f", format, "-"]), as: UTF8.self)
        .replacingOccurrences(of: "\r\n", with: "\n")
}
