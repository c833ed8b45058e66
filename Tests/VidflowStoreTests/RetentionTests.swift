import Foundation
import VidflowCore
import VidflowStore
import XCTest

/// `RetentionSweep` over a real SQLite store and real content-addressed files in a temporary data directory.
final class RetentionTests: XCTestCase {
    private let day: TimeInterval = 86_400

    /// A data directory with a store and an artifact store, and helpers to make finished runs with files.
    private struct DataWorld {
        let directory: String
        let store: SQLiteWorkflowStore
        let artifacts: FileArtifactStore
        var sweep: RetentionSweep { RetentionSweep(store: store, dataDirectory: directory) }

        init() throws {
            directory = NSTemporaryDirectory() + "vidflow-retention-\(UUID().uuidString.prefix(8))"
            store = try SQLiteWorkflowStore(path: directory + "/vidflow.sqlite")
            artifacts = try FileArtifactStore(root: directory)
        }

        func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }

        /// Imports a file holding `text` as an artifact, stored `age` seconds ago (as the runs that made it).
        func artifact(_ text: String, ext: String = "mp4", age: TimeInterval = 30 * 86_400) throws -> ArtifactRef {
            let path = artifacts.scratchPath(extension: ext)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            let stored = try artifacts.importFile(at: path, mime: nil, move: true)
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-age)], ofItemAtPath: stored.path)
            return stored
        }

        /// A run in `status` whose stage `a` produced `files` (or reused them from `reusedFrom`), ended at `endedAt`.
        func run(_ id: String, status: RunStatus, endedAt: Date?, files: [ArtifactRef] = [],
                 reusedFrom: String? = nil) async throws {
            let (run, stages) = StoreWorld.run(id)
            _ = try await store.createRun(run, stages: stages, events: [NewEvent(runID: id, kind: .log, data: "made")],
                                          owner: nil)
            var batch = StoreBatch()
            var stage = stages[0]
            stage.status = status == .running ? .running : .completed
            stage.artifacts = files
            stage.output = files.first.map { ["file": .string($0.path)] }
            stage.reusedFrom = reusedFrom.map { StageRef(runID: $0, stageID: "a") }
            stage.endedAt = endedAt
            batch.stages = [stage]
            batch.runUpdates = [RunUpdate(runID: id, status: status, startedAt: endedAt ?? Date(), endedAt: endedAt)]
            try await store.commit(batch)
        }

        func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
    }

    /// A running stage that imports the same content as an old run's artifact, before it commits any row:
    /// the import touches the stored file, and the sweep leaves a file touched after its cutoff alone.
    func testAnArtifactAStageJustReusedIsKeptThoughNoRowNamesItYet() async throws {
        let world = try DataWorld()
        defer { world.cleanUp() }
        let video = try world.artifact("shared content")
        try await world.run("run_old", status: .completed, endedAt: Date().addingTimeInterval(-10 * day), files: [video])
        _ = try world.artifact("shared content", age: 0)   // a stage of a new run stores identical bytes now

        let report = try await world.sweep.run(olderThan: 7 * day, dryRun: false)

        XCTAssertEqual(report.runs.map(\.id), ["run_old"])
        XCTAssertEqual(report.artifacts, [], "the reused file is not reported for removal")
        XCTAssertEqual(report.keptArtifacts, 1)
        XCTAssertTrue(world.exists(video.path), "the file the running stage uses is still there")
    }

    /// What deleting a run's share directory frees: its artifacts no other run names, nothing while it runs.
    func testArtifactsUsedOnlyByARunExcludeThoseAnotherRunUses() async throws {
        let world = try DataWorld()
        defer { world.cleanUp() }
        let shared = try world.artifact("shared video")
        let own = try world.artifact("own subtitles", ext: "srt")
        try await world.run("run_a", status: .completed, endedAt: Date(), files: [shared, own])
        try await world.run("run_b", status: .completed, endedAt: Date(), files: [shared])
        try await world.run("run_c", status: .running, endedAt: nil, files: [own])

        let onlyA = try await world.store.artifactsUsedOnly(byRun: "run_a")
        let whileRunning = try await world.store.artifactsUsedOnly(byRun: "run_c")

        XCTAssertEqual(onlyA.map(\.sha256), [], "run_c (running) still names the subtitles, run_b the video")
        XCTAssertEqual(whileRunning, [], "nothing of a run that has not finished")
        let onlyB = try await world.store.artifactsUsedOnly(byRun: "run_b")
        XCTAssertEqual(onlyB, [], "run_a uses the video too")
        try await world.run("run_d", status: .failed, endedAt: Date(), files: [try world.artifact("alone", ext: "wav")])
        let onlyD = try await world.store.artifactsUsedOnly(byRun: "run_d")
        XCTAssertEqual(onlyD.map(\.path.description).count, 1)
    }

    func testRemovesAnOldFinishedRunWithItsRowsSharedFilesAndUnsharedArtifact() async throws {
        let world = try DataWorld()
        defer { world.cleanUp() }
        let video = try world.artifact("old video")
        let cache = (video.path as NSString).deletingPathExtension + ".spritesheet.jpg"
        try Data("sheet".utf8).write(to: URL(fileURLWithPath: cache))
        try await world.run("run_old", status: .completed, endedAt: Date().addingTimeInterval(-10 * day), files: [video])
        try await world.store.assign(runID: "run_old", userID: "usr_1", callbackURL: "http://127.0.0.1:9/hook", meta: nil)
        try await world.store.record(WebhookDelivery(id: "msg_1", runID: "run_old", attempt: 1, url: "http://127.0.0.1:9/hook",
                                                     statusCode: 200, error: nil, at: Date(), durationMs: 1), retryAt: nil)
        let share = world.directory + "/files/usr_1/share/workflows/run_old"
        try FileManager.default.createDirectory(atPath: share, withIntermediateDirectories: true)
        try FileManager.default.linkItem(atPath: video.path, toPath: share + "/a.mp4")

        let report = try await world.sweep.run(olderThan: 7 * day, dryRun: false)

        XCTAssertEqual(report.runs.map(\.id), ["run_old"])
        XCTAssertEqual(report.runs.first?.status, .completed)
        XCTAssertEqual(report.artifacts.map(\.sha256), [video.sha256])
        XCTAssertEqual(report.bytes, Int64("old video".utf8.count + "sheet".utf8.count))
        let run = try await world.store.run("run_old")
        XCTAssertNil(run)
        let stages = try await world.store.stages(of: "run_old")
        XCTAssertTrue(stages.isEmpty)
        let events = try await world.store.events(runID: "run_old", after: 0, limit: 10)
        XCTAssertTrue(events.isEmpty)
        let deliveries = try await world.store.deliveries(runID: "run_old")
        XCTAssertTrue(deliveries.isEmpty)
        let produced = try await world.store.artifacts(producedBy: "run_old")
        XCTAssertTrue(produced.isEmpty)
        XCTAssertFalse(world.exists(video.path), "the artifact only this run used is deleted")
        XCTAssertFalse(world.exists(cache), "and the spritesheet cache beside it")
        XCTAssertFalse(world.exists(share), "and the run's shared directory")
    }

    func testKeepsAnArtifactANewerRunStillUses() async throws {
        let world = try DataWorld()
        defer { world.cleanUp() }
        let shared = try world.artifact("shared video")
        let own = try world.artifact("only the old run's", ext: "png")
        try await world.run("run_old", status: .failed, endedAt: Date().addingTimeInterval(-30 * day), files: [shared, own])
        try await world.run("run_new", status: .completed, endedAt: Date(), files: [shared], reusedFrom: "run_old")

        let report = try await world.sweep.run(olderThan: 7 * day, dryRun: false)

        XCTAssertEqual(report.runs.map(\.id), ["run_old"])
        XCTAssertEqual(report.artifacts.map(\.sha256), [own.sha256])
        XCTAssertEqual(report.keptArtifacts, 1)
        XCTAssertTrue(world.exists(shared.path), "a newer run still uses it")
        XCTAssertFalse(world.exists(own.path))
        let newer = try await world.store.stages(of: "run_new")
        XCTAssertEqual(newer.first?.artifacts, [shared])
        XCTAssertTrue(world.artifacts.verify(shared), "the kept file is whole")
    }

    func testNeverTouchesARunningRunOrARecentOne() async throws {
        let world = try DataWorld()
        defer { world.cleanUp() }
        let running = try world.artifact("running")
        let recent = try world.artifact("recent")
        try await world.run("run_running", status: .running, endedAt: nil, files: [running])
        try await world.run("run_recent", status: .cancelled, endedAt: Date().addingTimeInterval(-1 * day), files: [recent])

        let report = try await world.sweep.run(olderThan: 7 * day, now: Date().addingTimeInterval(30 * day), dryRun: false)

        XCTAssertEqual(report.runs.map(\.id), ["run_recent"], "30 days later the cancelled run is old; the running one never is")
        let still = try await world.store.run("run_running")
        XCTAssertEqual(still?.status, .running)
        XCTAssertTrue(world.exists(running.path))
        let none = try await world.sweep.run(olderThan: 7 * day, dryRun: false)
        XCTAssertTrue(none.runs.isEmpty)
        XCTAssertTrue(world.exists(running.path))
    }

    func testDryRunReportsTheSameSetAndRemovesNothing() async throws {
        let world = try DataWorld()
        defer { world.cleanUp() }
        let shared = try world.artifact("shared")
        let own = try world.artifact("own")
        try await world.run("run_a", status: .completed, endedAt: Date().addingTimeInterval(-9 * day), files: [shared, own])
        try await world.run("run_b", status: .failed, endedAt: Date().addingTimeInterval(-8 * day))
        try await world.run("run_c", status: .completed, endedAt: Date(), files: [shared])

        let dry = try await world.sweep.run(olderThan: 7 * day, dryRun: true)

        XCTAssertTrue(dry.dryRun)
        XCTAssertEqual(dry.runs.map(\.id), ["run_a", "run_b"])
        XCTAssertEqual(dry.artifacts.map(\.sha256), [own.sha256])
        XCTAssertGreaterThan(dry.bytes, 0)
        for id in ["run_a", "run_b", "run_c"] {
            let run = try await world.store.run(id)
            XCTAssertNotNil(run, id)
        }
        XCTAssertTrue(world.exists(own.path) && world.exists(shared.path))

        let real = try await world.sweep.run(olderThan: 7 * day, dryRun: false)
        XCTAssertEqual(real.runs, dry.runs)
        XCTAssertEqual(real.artifacts, dry.artifacts)
        XCTAssertEqual(real.bytes, dry.bytes)
        XCTAssertFalse(world.exists(own.path))
        XCTAssertTrue(world.exists(shared.path))
    }
}
