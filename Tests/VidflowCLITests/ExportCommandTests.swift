import Foundation
import XCTest

/// `vidflow run … --output DIR` and `vidflow export RUN DIR`: a completed run's final files under readable
/// names, copied (never moved) from the store, never replacing a file without `--force`.
final class ExportCommandTests: XCTestCase {
    /// A real chain on the offline `local` provider: a 1 s clip, transcoded, with thumbnail, sprite sheet and subtitles.
    static let named = """
        name: named-outputs
        stages:
          - id: generate
            uses: video.generate
            with: { provider: local, prompt: "a paper boat", seconds: 1, size: 320x180, seed: 3 }
          - id: poll
            uses: video.poll
            with: { job_id: "${{ stages.generate.outputs.job_id }}", provider: "${{ stages.generate.outputs.provider }}", interval: 0.05 }
          - id: download
            uses: video.download
            with: { url: "${{ stages.poll.outputs.url }}", job_id: "${{ stages.generate.outputs.job_id }}", provider: "${{ stages.generate.outputs.provider }}" }
          - id: transcode
            uses: ffmpeg.transcode
            with: { input: "${{ stages.download.outputs.file }}", quality: low }
          - id: thumbnail
            uses: ffmpeg.thumbnail
            with: { input: "${{ stages.transcode.outputs.file }}", width: 160, height: 90 }
          - id: sprites
            uses: ffmpeg.spritesheet
            with: { input: "${{ stages.transcode.outputs.file }}", columns: 2, rows: 2, tile_width: 64 }
          - id: subtitles
            uses: subtitles.generate
            with: { segments: [{ start: 0, end: 1, text: "hello" }], formats: [srt] }
        """

    static func listing(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    static func outputFile(_ document: [String: Any], stage: String) -> String? {
        let stages = document["stages"] as? [[String: Any]] ?? []
        return (stages.first { $0["id"] as? String == stage }?["outputs"] as? [String: Any])?["file"] as? String
    }

    static func inode(_ path: String) -> UInt64? {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.systemFileNumber] as? NSNumber)?.uint64Value
    }

    func testRunWithOutputWritesTheFinalFilesUnderTheGivenNameAsCopiesOfTheStore() throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        try world.write("named.yaml", Self.named)
        let result = try world.run(["run", "named.yaml", "--json", "--output", "out/clips", "--name", "My Clip/1"], timeout: 120)
        XCTAssertEqual(result.status, 0, "\(result)")
        let document = try XCTUnwrap(result.json, "\(result)")
        let out = world.directory + "/out/clips"
        XCTAssertEqual(Self.listing(out), ["My_Clip_1.mp4", "My_Clip_1.srt", "My_Clip_1_sprites.jpg", "My_Clip_1_thumb.jpg"],
                       "only the final files: not the downloaded video the transcode replaced, no temp file")
        let transcoded = try XCTUnwrap(Self.outputFile(document, stage: "transcode"))
        XCTAssertEqual(FileManager.default.contents(atPath: out + "/My_Clip_1.mp4"), FileManager.default.contents(atPath: transcoded))
        XCTAssertEqual(FileManager.default.contents(atPath: out + "/My_Clip_1_thumb.jpg"),
                       FileManager.default.contents(atPath: try XCTUnwrap(Self.outputFile(document, stage: "thumbnail"))))
        XCTAssertEqual(String(decoding: FileManager.default.contents(atPath: out + "/My_Clip_1.srt") ?? Data(), as: UTF8.self),
                       "1\n00:00:00,000 --> 00:00:01,000\nhello\n\n")
        XCTAssertTrue(FileManager.default.fileExists(atPath: transcoded), "the store keeps its artifact (copied, not moved)")
        XCTAssertNotEqual(Self.inode(transcoded), Self.inode(out + "/My_Clip_1.mp4"), "a copy: rewriting it leaves the store alone")
        let exported = try XCTUnwrap(document["exported"] as? [[String: Any]], "\(document)")
        XCTAssertEqual(Set(exported.compactMap { $0["path"] as? String }),
                       Set(Self.listing(out).map { out + "/" + $0 }))
    }

    func testExportNamesFilesAfterWorkflowAndRunAndReplacesOnlyWithForce() throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        try world.write("named.yaml", Self.named)
        let run = try world.run(["run", "named.yaml", "--json"], timeout: 120)
        XCTAssertEqual(run.status, 0, "\(run)")
        let runID = try XCTUnwrap(run.json?["run_id"] as? String)
        let base = "named-outputs-\(runID)"

        let export = try world.run(["export", runID, "out"])
        XCTAssertEqual(export.status, 0, "\(export)")
        let out = world.directory + "/out"
        XCTAssertEqual(Self.listing(out), [base + ".mp4", base + ".srt", base + "_sprites.jpg", base + "_thumb.jpg"])
        XCTAssertEqual(export.stdoutLines.count, 4, "\(export)")
        XCTAssertTrue(export.stdoutLines.allSatisfy { $0.hasPrefix("wrote \(out)/\(base)") }, "\(export)")

        // One file edited by hand, one removed: a second export refuses and writes nothing, not even the missing one.
        try Data("mine".utf8).write(to: URL(fileURLWithPath: out + "/\(base)_thumb.jpg"))
        try FileManager.default.removeItem(atPath: out + "/\(base).srt")
        let refused = try world.run(["export", runID, "out"])
        XCTAssertEqual(refused.status, 2, "\(refused)")
        XCTAssertEqual(refused.stderrLines.count, 1, "one readable line: \(refused)")
        XCTAssertTrue(refused.stderr.contains("'\(out)/\(base).mp4' exists"), "names the file: \(refused)")
        XCTAssertTrue(refused.stderr.contains("--force"), "\(refused)")
        XCTAssertEqual(FileManager.default.contents(atPath: out + "/\(base)_thumb.jpg"), Data("mine".utf8))
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/\(base).srt"), "nothing written")

        let forced = try world.run(["export", runID, "out", "--force", "--json"])
        XCTAssertEqual(forced.status, 0, "\(forced)")
        XCTAssertEqual((forced.json?["files"] as? [Any])?.count, 4, "\(forced)")
        XCTAssertNotEqual(FileManager.default.contents(atPath: out + "/\(base)_thumb.jpg"), Data("mine".utf8))
        XCTAssertEqual(Self.listing(out), [base + ".mp4", base + ".srt", base + "_sprites.jpg", base + "_thumb.jpg"],
                       "no temp file left beside them")

        // `run --output` into the same names: the run completes, the export is refused with one line.
        let again = try world.run(["run", "named.yaml", "--output", "out", "--name", base])
        XCTAssertEqual(again.status, 1, "\(again)")
        XCTAssertEqual(again.stderrLines.count, 1, "\(again)")
        XCTAssertTrue(again.stderr.contains("completed, but '\(out)/\(base).mp4' exists"), "\(again)")
    }

    /// Stages reused from the base run record no parameters: the transcode still replaces the download.
    func testExportOfARerunThatReusedItsVideoStagesWritesTheSameFinalFiles() throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        try world.write("named.yaml", Self.named)
        try world.write("wider.yaml", Self.named.replacingOccurrences(of: "columns: 2", with: "columns: 3"))
        let first = try world.run(["run", "named.yaml", "--json"], timeout: 120)
        let baseID = try XCTUnwrap(first.json?["run_id"] as? String, "\(first)")
        let rerun = try world.run(["rerun", baseID, "--file", "wider.yaml", "--json"], timeout: 120)
        XCTAssertEqual(rerun.status, 0, "\(rerun)")
        let runID = try XCTUnwrap(rerun.json?["run_id"] as? String)
        let export = try world.run(["export", runID, "out", "--name", "wide"])
        XCTAssertEqual(export.status, 0, "\(export)")
        XCTAssertEqual(Self.listing(world.directory + "/out"), ["wide.mp4", "wide.srt", "wide_sprites.jpg", "wide_thumb.jpg"])
    }

    func testExportOfARunThatHasNotCompletedIsAClearError() async throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        try world.write("failing.yaml", Workflows.failing)
        let failed = try world.run(["run", "failing.yaml", "--json"])
        let failedID = try XCTUnwrap(failed.json?["run_id"] as? String, "\(failed)")
        let refused = try world.run(["export", failedID, "out"])
        XCTAssertEqual(refused.status, 2, "\(refused)")
        XCTAssertEqual(refused.stderrLines, ["vidflow: error: run '\(failedID)' failed: only a completed run has final files "
                                             + "(`vidflow retry \(failedID)` continues it)"])

        try world.write("slow.yaml", Workflows.slow)
        let running = try world.start(["run", "slow.yaml"])
        let found = try await CancelCommandTests.waitForRunningStage(world, stage: "wait")
        guard let runID = found else {
            running.kill(SIGKILL)
            return XCTFail("the run never started: \(running.finish())")
        }
        let early = try world.run(["export", runID, "out"])
        XCTAssertEqual(early.status, 2, "\(early)")
        XCTAssertEqual(early.stderrLines.count, 1, "\(early)")
        XCTAssertTrue(early.stderr.contains("run '\(runID)' is still running"), "\(early)")
        _ = try world.run(["cancel", runID])
        _ = running.finish(timeout: 15)

        let unknown = try world.run(["export", "run_nope", "out"])
        XCTAssertEqual(unknown.status, 2, "\(unknown)")
        XCTAssertTrue(unknown.stderr.contains("no run with id 'run_nope'"), "\(unknown)")
        let loose = try world.run(["run", "slow.yaml", "--force"])
        XCTAssertEqual(loose.status, 2, "\(loose)")
        XCTAssertTrue(loose.stderr.contains("--name and --force go with --output"), "\(loose)")
        XCTAssertEqual(Self.listing(world.directory + "/out"), [], "nothing written by any refusal")
    }
}
