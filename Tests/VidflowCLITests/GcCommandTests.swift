import Foundation
import VidflowCore
import VidflowStore
import XCTest

/// `vidflow gc` through the real binary, over a real data directory seeded with runs and content-addressed files.
final class GcCommandTests: XCTestCase {
    private let day: TimeInterval = 86_400

    /// Seeds a finished (or running) run whose stage `a` lists `files`, ended `age` seconds ago.
    private func seed(_ store: SQLiteWorkflowStore, _ id: String, status: RunStatus, age: TimeInterval,
                      files: [ArtifactRef]) async throws {
        let definition = WorkflowDefinition(name: "seeded", inputs: [], stages: [StageDefinition(id: "a", uses: "noop")])
        let run = RunRecord(id: id, definition: definition, inputs: [:], mode: .full,
                            createdAt: Date().addingTimeInterval(-age - 60))
        var stage = StageRecord(runID: id, stageID: "a", position: 0, type: "noop", needs: [], components: nil,
                                planReason: "full run")
        _ = try await store.createRun(run, stages: [stage], events: [], owner: nil)
        let ended = status.isTerminal ? Date().addingTimeInterval(-age) : nil
        stage.status = status.isTerminal ? .completed : .running
        stage.artifacts = files
        stage.endedAt = ended
        var batch = StoreBatch()
        batch.stages = [stage]
        batch.runUpdates = [RunUpdate(runID: id, status: status, startedAt: Date().addingTimeInterval(-age - 30), endedAt: ended)]
        try await store.commit(batch)
    }

    private func artifact(_ text: String, in artifacts: FileArtifactStore) throws -> ArtifactRef {
        let path = artifacts.scratchPath(extension: "mp4")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let stored = try artifacts.importFile(at: path, mime: "video/mp4", move: true)
        // Stored when the old runs ran: a file touched after the sweep's cutoff is kept as in use.
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-30 * 86_400)],
                                              ofItemAtPath: stored.path)
        return stored
    }

    func testDryRunListsWhatGcThenRemovesAndKeepsSharedArtifactsAndRunningRuns() async throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        let store = try SQLiteWorkflowStore(path: world.dataDirectory + "/vidflow.sqlite")
        let artifacts = try FileArtifactStore(root: world.dataDirectory)
        let shared = try artifact("used by old and new", in: artifacts)
        let own = try artifact("used by the old run only", in: artifacts)
        try await seed(store, "run_old", status: .completed, age: 10 * day, files: [shared, own])
        try await seed(store, "run_new", status: .completed, age: 60, files: [shared])
        try await seed(store, "run_busy", status: .running, age: 20 * day, files: [])

        let dry = try world.run(["gc", "--dry-run", "--json"])
        XCTAssertEqual(dry.status, 0, "\(dry)")
        let planned = try XCTUnwrap(dry.json, "one JSON document: \(dry)")
        XCTAssertEqual(planned["dry_run"] as? Bool, true)
        XCTAssertEqual((planned["runs"] as? [[String: Any]])?.map { $0["id"] as? String }, ["run_old"])
        XCTAssertEqual(planned["artifacts"] as? Int, 1)
        XCTAssertEqual(planned["kept_artifacts"] as? Int, 1)
        XCTAssertEqual(planned["bytes"] as? Int, "used by the old run only".utf8.count)
        XCTAssertTrue(FileManager.default.fileExists(atPath: own.path), "a dry run removes nothing")
        let stillThere = try await store.run("run_old")
        XCTAssertNotNil(stillThere)

        let gc = try world.run(["gc", "--older-than", "7d"])
        XCTAssertEqual(gc.status, 0, "\(gc)")
        XCTAssertEqual(gc.stdoutLines.count, 2, "one line per run and a summary: \(gc)")
        XCTAssertTrue(gc.stdoutLines.first?.hasPrefix("removed run_old") ?? false, "\(gc)")
        XCTAssertTrue(gc.stdoutLines.last?.contains("removed 1 run(s)") ?? false, "\(gc)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: own.path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: shared.path), "run_new still uses it")
        let status = try world.run(["status", "run_old"])
        XCTAssertEqual(status.status, 2, "the run is gone: \(status)")
        let busy = try await store.run("run_busy")
        XCTAssertEqual(busy?.status, .running, "a running run is never removed, however old")

        let again = try world.run(["gc", "--json"])
        XCTAssertEqual((again.json?["runs"] as? [Any])?.count, 0, "\(again)")
    }

    func testARunMadeByTheCLIGoesOnceOlderThanTheAge() throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        try world.write("chain.yaml", Workflows.chain)
        let made = try world.run(["run", "chain.yaml", "--json"])
        XCTAssertEqual(made.status, 0, "\(made)")
        let runID = try XCTUnwrap(made.json?["run_id"] as? String)
        let young = try world.run(["gc", "--older-than", "1h", "--json"])
        XCTAssertEqual((young.json?["runs"] as? [Any])?.count, 0, "\(young)")
        Thread.sleep(forTimeInterval: 1.2)
        let gc = try world.run(["gc", "--older-than", "1s", "--json"])
        XCTAssertEqual(gc.status, 0, "\(gc)")
        XCTAssertEqual((gc.json?["runs"] as? [[String: Any]])?.map { $0["id"] as? String }, [runID])
        XCTAssertEqual(try world.run(["status", runID]).status, 2)
    }

    func testBadAgeExitsTwoWithOneReadableLine() throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        for age in ["7x", "0d", "--older-than=-3d", "1.5d", "forever", ""] {
            let result = try world.run(age.hasPrefix("--") ? ["gc", age] : ["gc", "--older-than", age])
            XCTAssertEqual(result.status, 2, "\(age): \(result)")
            XCTAssertEqual(result.stderrLines.count, 1, "\(age): \(result)")
            XCTAssertTrue(result.stderr.hasPrefix("vidflow: error: --older-than"), "\(age): \(result)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: world.dataDirectory + "/vidflow.sqlite"),
                       "bad input creates nothing")
    }

    func testServeWithRetainSweepsOldRunsAtStartAndKeepsRecentOnes() async throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        let store = try SQLiteWorkflowStore(path: world.dataDirectory + "/vidflow.sqlite")
        let artifacts = try FileArtifactStore(root: world.dataDirectory)
        let old = try artifact("old output", in: artifacts)
        let recent = try artifact("recent output", in: artifacts)
        try await seed(store, "run_old", status: .failed, age: 3 * day, files: [old])
        try await seed(store, "run_recent", status: .completed, age: 60, files: [recent])

        let server = try world.start(["serve", "--port", "0", "--retain", "1d"])
        _ = try ServeCommandTests.readyURL(server)
        let deadline = Date().addingTimeInterval(10)
        var gone = false
        while Date() < deadline, !gone {
            gone = try await store.run("run_old") == nil
            if !gone { try await Task.sleep(for: .milliseconds(100)) }
        }
        server.kill(SIGTERM)
        let result = server.finish(timeout: 20)
        XCTAssertTrue(gone, "the sweep at start removes the old run: \(result)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: old.path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: recent.path))
        let kept = try await store.run("run_recent")
        XCTAssertNotNil(kept)

        let bad = try world.run(["serve", "--port", "0", "--retain", "5x"])
        XCTAssertEqual(bad.status, 2, "\(bad)")
        XCTAssertEqual(bad.stderrLines.count, 1, "\(bad)")
        XCTAssertTrue(bad.stderr.hasPrefix("vidflow: error: --retain"), "\(bad)")
    }
}
