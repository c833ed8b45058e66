import Foundation
import XCTest

final class RunCommandTests: XCTestCase {
    func testARunCompletesAndItsJSONAgreesWithStatusAndRuns() async throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        try world.write("chain.yaml", Workflows.chain)
        let result = try world.run(["run", "chain.yaml", "--json", "--input", "quality=high"])
        XCTAssertEqual(result.status, 0, "\(result)")
        let document = try XCTUnwrap(result.json, "stdout must be exactly one JSON document: \(result)")
        let runID = try XCTUnwrap(document["run_id"] as? String)
        XCTAssertEqual(document["status"] as? String, "completed")
        XCTAssertEqual(document["mode"] as? String, "full")
        XCTAssertTrue(document["base_run_id"] is NSNull)
        let stages = try XCTUnwrap(document["stages"] as? [[String: Any]])
        XCTAssertEqual(stages.map { $0["id"] as? String }, ["upload", "generate", "transcode"])
        XCTAssertEqual(stages.map { $0["status"] as? String }, ["completed", "completed", "completed"])
        XCTAssertEqual(stages.map { $0["attempts"] as? Int }, [1, 1, 1])
        XCTAssertNotNil(stages[0]["duration"] as? Double)
        XCTAssertEqual((stages[2]["outputs"] as? [String: Any])?["quality"] as? String, "high")

        let status = try world.run(["status", runID, "--json"])
        XCTAssertEqual(status.status, 0, "\(status)")
        let statusDocument = try XCTUnwrap(status.json)
        XCTAssertEqual(statusDocument["status"] as? String, "completed")
        XCTAssertEqual((statusDocument["stages"] as? [[String: Any]])?.count, 3)

        let runs = try world.run(["runs", "--json"])
        XCTAssertEqual(runs.status, 0, "\(runs)")
        let listed = try XCTUnwrap((runs.json?["runs"] as? [[String: Any]])?.first)
        XCTAssertFalse(listed.isEmpty)
        for (key, value) in listed {
            XCTAssertEqual(String(describing: value), String(describing: statusDocument[key] ?? "missing"), "runs and status disagree on \(key)")
        }
        let text = try world.run(["status", runID])
        XCTAssertTrue(text.stdout.contains("transcode"), "\(text)")
        let count = try await world.runCount()
        XCTAssertEqual(count, 1)
    }

    func testWithoutATerminalEachEventIsOnePlainLine() throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        try world.write("chain.yaml", Workflows.chain)
        let result = try world.run(["run", "chain.yaml"])
        XCTAssertEqual(result.status, 0, "\(result)")
        XCTAssertFalse(result.stdout.contains("\u{1B}["), "no ANSI codes when stdout is not a terminal")
        XCTAssertTrue(result.stdout.contains("generate   running (attempt 1)"), "\(result)")
        XCTAssertTrue(result.stdout.contains("generate   progress"), "\(result)")
        let last = try XCTUnwrap(result.stdoutLines.last)
        XCTAssertTrue(last.hasPrefix("run run_") && last.contains(" completed"), "\(result)")
    }

    func testAFailedRunExitsOneAndRetryReusesItsCompletedStages() throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        try world.write("failing.yaml", Workflows.failing)
        let failed = try world.run(["run", "failing.yaml", "--json"])
        XCTAssertEqual(failed.status, 1, "\(failed)")
        let document = try XCTUnwrap(failed.json, "\(failed)")
        let runID = try XCTUnwrap(document["run_id"] as? String)
        XCTAssertEqual(document["status"] as? String, "failed")
        let statuses = Self.statuses(document)
        XCTAssertEqual(statuses, ["upload": "completed", "generate": "failed", "transcode": "skipped", "thumbnail": "skipped"])

        let status = try world.run(["status", runID])
        XCTAssertEqual(status.status, 0, "a failed run's status is readable: \(status)")
        XCTAssertTrue(status.stdout.contains("noop failing attempt 1"), "\(status)")

        let retried = try world.run(["retry", runID, "--input", "fails=0", "--json"])
        XCTAssertEqual(retried.status, 0, "\(retried)")
        let retry = try XCTUnwrap(retried.json)
        XCTAssertEqual(retry["mode"] as? String, "retry")
        XCTAssertEqual(retry["base_run_id"] as? String, runID)
        XCTAssertEqual(retry["status"] as? String, "completed")
        let stages = try XCTUnwrap(retry["stages"] as? [[String: Any]])
        XCTAssertEqual(stages.first { $0["id"] as? String == "upload" }?["reused_from"] as? String, "\(runID)/upload")
        XCTAssertTrue(stages.first { $0["id"] as? String == "generate" }?["reused_from"] is NSNull)
        XCTAssertEqual(Set(Self.statuses(retry).values), ["completed"])
    }

    func testRerunOfAnUnchangedRunRunsNothingAndDryRunWritesNothing() async throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        try world.write("chain.yaml", Workflows.chain)
        let first = try world.run(["run", "chain.yaml", "--json"])
        let runID = try XCTUnwrap(first.json?["run_id"] as? String, "\(first)")

        let dry = try world.run(["rerun", runID, "--input", "quality=high", "--dry-run"])
        XCTAssertEqual(dry.status, 0, "\(dry)")
        let transcode = try XCTUnwrap(dry.stdoutLines.first { $0.hasPrefix("transcode") }, "\(dry)")
        XCTAssertTrue(transcode.contains("run") && transcode.contains("'quality' changed") && transcode.contains("→"), transcode)
        XCTAssertTrue(dry.stdoutLines.contains { $0.hasPrefix("upload") && $0.contains("reuse") && $0.contains("unchanged") }, "\(dry)")
        let afterDryRun = try await world.runCount()
        XCTAssertEqual(afterDryRun, 1, "--dry-run writes no run")

        let rerun = try world.run(["rerun", runID, "--json"])
        XCTAssertEqual(rerun.status, 0, "\(rerun)")
        let document = try XCTUnwrap(rerun.json)
        XCTAssertEqual(document["mode"] as? String, "incremental")
        for stage in document["stages"] as? [[String: Any]] ?? [] {
            XCTAssertEqual(stage["status"] as? String, "completed")
            XCTAssertEqual(stage["attempts"] as? Int, 0, "nothing ran")
            XCTAssertNotNil(stage["reused_from"] as? String)
        }
    }

    func testBadInputExitsTwoWithOneReadableLineAndCreatesNoRun() async throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        try world.write("chain.yaml", Workflows.chain)
        try world.write("broken.yaml", Workflows.invalid)
        let cases: [([String], String)] = [
            (["run", "chain.yaml", "--input", "qualty=high"], "unknown input 'qualty'"),
            (["run", "chain.yaml", "--input", "seconds=four"], "'four' is not a valid int"),
            (["run", "chain.yaml", "--input", "novalue"], "expected key=value"),
            (["run", "missing.yaml"], "'missing.yaml' does not exist"),
            (["status", "run_nope"], "no run with id 'run_nope'"),
            (["retry", "run_nope"], "no run with id 'run_nope'"),
            (["rerun", "run_nope", "--dry-run"], "no run with id 'run_nope'"),
            (["runs", "--status", "weird"], "unknown --status 'weird'"),
        ]
        for (arguments, message) in cases {
            let result = try world.run(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result)")
            XCTAssertEqual(result.stderrLines.count, 1, "\(arguments): \(result)")
            XCTAssertTrue(result.stderr.contains(message), "\(arguments): \(result)")
            XCTAssertEqual(result.stdout, "", "\(arguments)")
        }
        let invalid = try world.run(["run", "broken.yaml"])
        XCTAssertEqual(invalid.status, 2, "\(invalid)")
        XCTAssertTrue(invalid.stderr.contains("stage 'b': field 'needs'"), "\(invalid)")
        let count = try await world.runCount()
        XCTAssertEqual(count, 0, "no run created by bad input")
    }

    func testRelativeFileInputsAreStoredAbsoluteSoARerunFromElsewhereFindsThem() throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        try world.write("picture.txt", "not really a picture")
        try world.write("file.yaml", """
            name: files
            inputs:
              image: { type: file, required: true }
            stages:
              - { id: upload, uses: noop, with: { source: "${{ inputs.image }}" } }
            """)
        let first = try world.run(["run", "file.yaml", "--input", "image=picture.txt", "--json"])
        XCTAssertEqual(first.status, 0, "\(first)")
        let inputs = try XCTUnwrap(first.json?["inputs"] as? [String: Any])
        let stored = try XCTUnwrap(inputs["image"] as? String)
        XCTAssertEqual(stored, URL(fileURLWithPath: world.directory + "/picture.txt").standardizedFileURL.path)
        let runID = try XCTUnwrap(first.json?["run_id"] as? String)

        let rerun = try world.run(["rerun", runID, "--json"], in: "/")
        XCTAssertEqual(rerun.status, 0, "\(rerun)")
        XCTAssertEqual((rerun.json?["stages"] as? [[String: Any]])?.first?["reused_from"] as? String, "\(runID)/upload")
        let text = try world.run(["run", "file.yaml", "--input", "image=picture.txt"])
        XCTAssertTrue(text.stdout.contains("source: " + stored), "file outputs are listed at the end: \(text)")
        let missing = try world.run(["run", "file.yaml", "--input", "image=nothere.png"])
        XCTAssertEqual(missing.status, 2, "\(missing)")
        XCTAssertEqual(missing.stderrLines.count, 1, "\(missing)")
        let required = try world.run(["run", "file.yaml"])
        XCTAssertEqual(required.status, 2, "\(required)")
        XCTAssertEqual(required.stderrLines, ["vidflow: error: bad inputs: image: required input is missing"])
    }

    func testTheDataDirFlagWinsOverTheEnvironment() async throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        try world.write("chain.yaml", Workflows.chain)
        let result = try world.run(["run", "chain.yaml", "--data-dir", "elsewhere", "--json"])
        XCTAssertEqual(result.status, 0, "\(result)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: world.directory + "/elsewhere/vidflow.sqlite"))
        let count = try await world.runCount()
        XCTAssertEqual(count, 0, "nothing went to VIDFLOW_DATA_DIR")
        let runID = try XCTUnwrap(result.json?["run_id"] as? String)
        XCTAssertEqual(try world.run(["status", runID, "--data-dir", "elsewhere"]).status, 0)
        XCTAssertEqual(try world.run(["status", runID]).status, 2)
    }

    static func statuses(_ document: [String: Any]) -> [String: String] {
        var result: [String: String] = [:]
        for stage in document["stages"] as? [[String: Any]] ?? [] {
            if let id = stage["id"] as? String { result[id] = stage["status"] as? String }
        }
        return result
    }
}
