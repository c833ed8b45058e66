import Foundation
import VidflowCore
import VidflowEngine
import XCTest

/// Which of a run's files are its final ones and what they are called for a person.
final class RunOutputNamesTests: XCTestCase {
    /// A completed stage of `type` whose `outputs` name artifacts (`.../<stage>-<output>.<ext>`), reading `input`.
    static func stage(_ id: String, _ type: String, position: Int, files: [String: String],
                      extra: [String: JSONValue] = [:], input: [String: JSONValue] = [:]) -> StageRecord {
        var record = StageRecord(runID: "run_1", stageID: id, position: position, type: type, status: .completed,
                                 needs: [], components: nil, planReason: "")
        var output = extra
        for (name, ext) in files {
            let path = "/data/artifacts/\(id)-\(name).\(ext)"
            output[name] = .string(path)
            if !record.artifacts.contains(where: { $0.path == path }) {
                record.artifacts.append(ArtifactRef(sha256: id + name, size: 10, path: path, mime: nil))
            }
        }
        record.output = output
        record.input = input
        return record
    }

    static func path(_ stage: String, _ output: String, _ ext: String) -> JSONValue { .string("/data/artifacts/\(stage)-\(output).\(ext)") }

    func testTheTranscodeReplacesTheDownloadAndEachDerivedFileGetsItsSuffix() {
        let stages = [
            Self.stage("upload", "image.upload", position: 0, files: ["file": "jpg"]),
            Self.stage("download", "video.download", position: 1, files: ["file": "mp4"]),
            Self.stage("transcode", "ffmpeg.transcode", position: 2, files: ["file": "mp4"],
                       input: ["input": Self.path("download", "file", "mp4")]),
            Self.stage("thumbnail", "ffmpeg.thumbnail", position: 3, files: ["file": "jpg"],
                       input: ["input": Self.path("transcode", "file", "mp4")]),
            Self.stage("sheet", "ffmpeg.spritesheet", position: 4, files: ["file": "jpg"],
                       input: ["input": Self.path("transcode", "file", "mp4")]),
            Self.stage("subs", "subtitles.generate", position: 5, files: ["srt": "srt", "vtt": "vtt", "json": "json"]),
            Self.stage("audio", "ffmpeg.extract_audio", position: 6, files: ["file": "wav"],
                       input: ["input": Self.path("transcode", "file", "mp4")]),
        ]
        let outputs = RunOutputNames.outputs(of: stages, base: "clip")
        XCTAssertEqual(outputs.filter(\.isFinal).map(\.fileName),
                       ["clip.mp4", "clip_thumb.jpg", "clip_sprites.jpg", "clip_subtitles.json", "clip.srt", "clip.vtt", "clip.wav"])
        XCTAssertEqual(outputs.filter { !$0.isFinal }.map(\.fileName), ["clip_download.mp4"],
                       "the downloaded video, re-encoded by the transcode, is no final file")
        XCTAssertFalse(outputs.contains { $0.stageID == "upload" }, "the copy of an input is no output")
    }

    /// A stage reused from an earlier run has no parameters recorded: what it needs stands for what it read.
    func testAReusedTranscodeStillReplacesTheDownloadItNeeds() {
        var transcode = Self.stage("transcode", "ffmpeg.transcode", position: 1, files: ["file": "mp4"])
        transcode.input = nil
        transcode.needs = ["download"]
        var thumbnail = Self.stage("thumbnail", "ffmpeg.thumbnail", position: 2, files: ["file": "jpg"])
        thumbnail.input = nil
        thumbnail.needs = ["transcode"]
        let outputs = RunOutputNames.outputs(of: [Self.stage("download", "video.download", position: 0, files: ["file": "mp4"]),
                                                  transcode, thumbnail], base: "b")
        XCTAssertEqual(outputs.filter(\.isFinal).map(\.fileName), ["b.mp4", "b_thumb.jpg"])
    }

    func testASubtitleMuxReplacesTheTranscodeButTwoParallelTranscodesAreBothFinal() {
        let muxed = RunOutputNames.outputs(of: [
            Self.stage("transcode", "ffmpeg.transcode", position: 0, files: ["file": "mp4"]),
            Self.stage("mux", "ffmpeg.mux_subtitles", position: 1, files: ["file": "mp4"],
                       input: ["input": Self.path("transcode", "file", "mp4"), "subtitles": "/x.srt"]),
        ], base: "b")
        XCTAssertEqual(muxed.map(\.fileName), ["b_transcode.mp4", "b.mp4"])
        XCTAssertEqual(muxed.map(\.isFinal), [false, true])

        let parallel = RunOutputNames.outputs(of: [
            Self.stage("small", "ffmpeg.transcode", position: 0, files: ["file": "mp4"]),
            Self.stage("large", "ffmpeg.transcode", position: 1, files: ["file": "mp4"]),
            Self.stage("custom", "my.stage", position: 2, files: ["file": "bin", "report": "txt"]),
        ], base: "b")
        XCTAssertEqual(parallel.map(\.fileName), ["b_small.mp4", "b.mp4", "b_custom_report.txt", "b_custom.bin"])
        XCTAssertTrue(parallel.allSatisfy(\.isFinal))
        XCTAssertEqual(Set(parallel.map(\.fileName)).count, parallel.count, "no two files share a name")
    }

    func testNamesAreSanitizedAndNeverAPath() {
        XCTAssertEqual(RunOutputNames.baseName(workflow: "image-to-video", runID: "run_65a1b2c3"), "image-to-video-run_65a1b2c3")
        XCTAssertEqual(RunOutputNames.sanitize("../../etc/passwd"), "etc_passwd")
        XCTAssertEqual(RunOutputNames.sanitize("My Clip: take 2/final"), "My_Clip_take_2_final")
        XCTAssertEqual(RunOutputNames.sanitize("café ☕ vidéo"), "café_vidéo")
        XCTAssertEqual(RunOutputNames.sanitize(".."), "vidflow")
        XCTAssertEqual(RunOutputNames.sanitize("a\u{0}b\nc"), "a_b_c")
        XCTAssertEqual(RunOutputNames.sanitize(String(repeating: "x", count: 500)).count, 120)
    }
}
