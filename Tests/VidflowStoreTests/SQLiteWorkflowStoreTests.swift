import Foundation
import GRDB
import Synchronization
import VidflowCore
@testable import VidflowStore
import XCTest

final class SQLiteWorkflowStoreTests: XCTestCase {
    func testTheFileIsInWALModeAndReopensWithItsData() async throws {
        let world = try StoreWorld()
        defer { world.cleanUp() }
        try await world.create("run_1")
        let mode = try await world.store.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        XCTAssertEqual(mode, "wal")
        let reopened = try SQLiteWorkflowStore(path: world.path)
        let run = try await reopened.run("run_1")
        XCTAssertEqual(run?.workflowName, "store-test")
        XCTAssertEqual(run?.inputs["prompt"], "a fox")
        let applied = try await reopened.pool.read { db in try StoreDatabase.migrator.appliedMigrations(db) }
        XCTAssertEqual(applied, StoreDatabase.migrator.migrations)
        XCTAssertEqual(applied.first, "v1")
    }

    func testARunAndItsStagesRoundTripEveryField() async throws {
        let world = try StoreWorld()
        defer { world.cleanUp() }
        try await world.create("run_rt")
        var stage = try await world.store.stages(of: "run_rt")[0]
        XCTAssertEqual(stage.components?.parameters, ["x": "1"])
        XCTAssertEqual(stage.cacheKey, stage.components?.key)
        stage.status = .completed
        stage.attempts = 2
        stage.progress = 100
        stage.input = ["x": 1]
        stage.output = ["file": "/tmp/x.mp4", "n": 1.5]
        stage.error = StageFailure(.rateLimited, "slow down", retryAfterMs: 1500, restartFrom: "a")
        stage.reusedFrom = StageRef(runID: "run_0", stageID: "a")
        stage.startedAt = Date(timeIntervalSince1970: 1_000)
        stage.endedAt = Date(timeIntervalSince1970: 1_002.5)
        stage.nextAttemptAt = Date(timeIntervalSince1970: 2_000)
        var batch = StoreBatch()
        batch.stages = [stage]
        try await world.store.commit(batch)
        let stored = try await world.store.stages(of: "run_rt")
        XCTAssertEqual(stored.map(\.stageID), ["a", "b"], "ordered by position")
        XCTAssertEqual(stored[0], stage)
        XCTAssertEqual(stored[0].duration ?? 0, 2.5, accuracy: 0.001)
    }

    func testRetryOfAnActiveBaseAndTwoRerunsOfOneBaseAreConflicts() async throws {
        let world = try StoreWorld()
        defer { world.cleanUp() }
        try await world.create("run_base", status: .running)
        do {
            try await world.create("run_r1", base: "run_base")
            XCTFail("a running base must be refused")
        } catch let error as StoreError {
            XCTAssertTrue(error.description.contains("is still running"), error.description)
        }
        try await world.store.commit(Self.runUpdate("run_base", .failed))
        try await world.create("run_r1", base: "run_base")
        do {
            try await world.create("run_r2", base: "run_base")
            XCTFail("a second retry of the same base while the first is pending must be refused")
        } catch let error as StoreError {
            XCTAssertTrue(error.description.contains("already retrying"), error.description)
        }
        do {
            try await world.create("run_r3", base: "run_missing")
            XCTFail("unknown base")
        } catch let error as StoreError {
            XCTAssertEqual(error, .runNotFound("run_missing"))
        }
        let ids = try await world.store.runs(status: nil, limit: 10, createdBefore: nil).map(\.id)
        XCTAssertEqual(Set(ids), ["run_base", "run_r1"], "refused runs left no row")
        let orphanStages = try await world.store.stages(of: "run_r2")
        XCTAssertEqual(orphanStages, [], "refused runs left no stage rows")
    }

    func testAnIdempotencyKeyReturnsTheFirstRun() async throws {
        let world = try StoreWorld()
        defer { world.cleanUp() }
        let first = try await world.create("run_k1", key: "client-key")
        let second = try await world.create("run_k2", key: "client-key")
        XCTAssertEqual(first, "run_k1")
        XCTAssertEqual(second, "run_k1")
        let missing = try await world.store.run("run_k2")
        XCTAssertNil(missing)
    }

    func testConcurrentBatchesAllCommitAndEventIdsIncrease() async throws {
        let world = try StoreWorld()
        defer { world.cleanUp() }
        try await world.create("run_c")
        let store = world.store
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for n in 0..<25 {
                        var batch = StoreBatch()
                        batch.events = [NewEvent(runID: "run_c", kind: .log, data: ["writer": .int(writer), "n": .int(n)])]
                        try await store.commit(batch)
                    }
                }
            }
            try await group.waitForAll()
        }
        let events = try await store.events(runID: "run_c", after: 0, limit: 1_000)
        XCTAssertEqual(events.count, 200)
        XCTAssertEqual(events.map(\.id), events.map(\.id).sorted())
        XCTAssertEqual(Set(events.map(\.id)).count, 200)
        for writer in 0..<8 {
            let ns = events.filter { $0.data["writer"] == .int(writer) }.compactMap { $0.data["n"]?.intValue }
            XCTAssertEqual(ns, Array(0..<25), "each writer's events keep their order")
        }
        let page = try await store.events(runID: "run_c", after: events[99].id, limit: 50)
        XCTAssertEqual(page.map(\.id), Array(events[100..<150].map(\.id)))
    }

    func testABadBatchFailsAloneAndLeavesNothingHalfWritten() async throws {
        let world = try StoreWorld()
        defer { world.cleanUp() }
        try await world.create("run_ok")
        let store = world.store
        var bad = StoreBatch()
        bad.events = [NewEvent(runID: "run_ok", kind: .log, data: ["part": "of the bad batch"])]
        // A stage of a run that does not exist violates the foreign key: the whole batch must go.
        bad.stages = [StageRecord(runID: "run_ghost", stageID: "x", position: 0, type: "noop", needs: [], components: nil,
                                  planReason: "")]
        var good = StoreBatch()
        good.events = [NewEvent(runID: "run_ok", kind: .log, data: ["part": "good"])]
        async let badResult: Void = store.commit(bad)
        async let goodResult: Void = store.commit(good)
        do {
            try await badResult
            XCTFail("the bad batch must fail")
        } catch {}
        try await goodResult
        let events = try await store.events(runID: "run_ok", after: 0, limit: 10)
        XCTAssertEqual(events.map { $0.data["part"] }, ["good"])
    }

    func testOrphanedRunsAreClaimedAndLiveOnesAreLeft() async throws {
        let world = try StoreWorld()
        defer { world.cleanUp() }
        try await world.create("run_dead", status: .running, owner: "host:1:dead")
        try await world.create("run_live", status: .running, owner: "host:2:live")
        try await world.create("run_done", status: .completed, owner: nil)
        try await world.create("run_free", status: .pending, owner: nil)
        let fresh = Date().addingTimeInterval(-60)
        let claimed = try await world.store.claimOrphans(owner: "me", staleBefore: fresh) { $0 == "host:1:dead" }
        XCTAssertEqual(Set(claimed), ["run_dead", "run_free"])
        // The live owner stops beating: once stale it is taken over too.
        let later = Date().addingTimeInterval(60)
        let second = try await world.store.claimOrphans(owner: "other", staleBefore: later) { _ in false }
        XCTAssertEqual(Set(second), ["run_dead", "run_live", "run_free"])
    }

    func testCancelRequestsAreDurableAndUnknownRunsAreNamed() async throws {
        let world = try StoreWorld()
        defer { world.cleanUp() }
        try await world.create("run_x", status: .running)
        let before = try await world.store.isCancelRequested("run_x")
        XCTAssertFalse(before)
        try await world.store.requestCancel("run_x")
        let after = try await SQLiteWorkflowStore(path: world.path).isCancelRequested("run_x")
        XCTAssertTrue(after)
        do {
            try await world.store.requestCancel("run_nope")
            XCTFail("unknown run")
        } catch let error as StoreError {
            XCTAssertEqual(error.description, "no run with id 'run_nope'")
        }
    }

    func testCompletedStagesRecordTheirArtifactsOnce() async throws {
        let world = try StoreWorld()
        defer { world.cleanUp() }
        try await world.create("run_a")
        var stage = try await world.store.stages(of: "run_a")[0]
        let artifact = ArtifactRef(sha256: String(repeating: "ab", count: 32), size: 42, path: "/data/x.mp4", mime: "video/mp4")
        stage.artifacts = [artifact]
        stage.status = .running
        var batch = StoreBatch()
        batch.stages = [stage]
        try await world.store.commit(batch)
        var none = try await world.store.artifacts(producedBy: "run_a")
        XCTAssertEqual(none, [], "only completed stages produce artifacts")
        stage.status = .completed
        batch.stages = [stage]
        try await world.store.commit(batch)
        try await world.store.commit(batch)
        none = try await world.store.artifacts(producedBy: "run_a")
        XCTAssertEqual(none, [artifact])
    }

    func testAProgressReportCommittedAfterTheStageEndedDoesNotUndoItsEnd() async throws {
        let world = try StoreWorld()
        defer { world.cleanUp() }
        try await world.create("run_a")
        var stage = try await world.store.stages(of: "run_a")[0]
        stage.status = .running
        var batch = StoreBatch()
        batch.stages = [stage]
        try await world.store.commit(batch)
        var progress = StoreBatch()
        progress.progress = [StageProgress(runID: "run_a", stageID: stage.stageID, percent: 40)]
        try await world.store.commit(progress)
        let running = try await world.store.stages(of: "run_a")[0]
        XCTAssertEqual(running.progress, 40)

        stage.status = .completed
        stage.progress = 100
        batch.stages = [stage]
        try await world.store.commit(batch)
        progress.progress = [StageProgress(runID: "run_a", stageID: stage.stageID, percent: 72)]
        try await world.store.commit(progress)
        let stored = try await world.store.stages(of: "run_a")[0]
        XCTAssertEqual(stored.status, .completed, "a late progress write left the stage 'running' (seen in make demo)")
        XCTAssertEqual(stored.progress, 100)
    }

    func testACorruptRowIsATypedErrorNotACrash() async throws {
        let world = try StoreWorld()
        defer { world.cleanUp() }
        try await world.create("run_bad")
        try await world.store.pool.write { db in
            try db.execute(sql: "UPDATE stages SET output = '{not json' WHERE run_id = 'run_bad' AND stage_id = 'a'")
        }
        do {
            _ = try await world.store.stages(of: "run_bad")
            XCTFail("corrupt JSON must be reported")
        } catch let error as StoreError {
            XCTAssertTrue(error.description.contains("column output"), error.description)
        }
        let run = try await world.store.run("run_bad")
        XCTAssertNotNil(run, "the run itself stays readable")
    }

    private static func runUpdate(_ id: String, _ status: RunStatus) -> StoreBatch {
        var batch = StoreBatch()
        batch.runUpdates = [RunUpdate(runID: id, status: status, endedAt: Date())]
        return batch
    }
}

final class StoreOpeningTests: XCTestCase {
    func testManyProcessesOpeningANewDatabaseAtOnceAllSucceed() throws {
        let directory = NSTemporaryDirectory() + "vidflow-open-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/vidflow.sqlite"
        let failures = Mutex([String]())
        // Separate pools are separate SQLite connections, as separate `vidflow` processes would have.
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            do {
                _ = try SQLiteWorkflowStore(path: path)
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        XCTAssertEqual(failures.withLock { $0 }, [])
        let store = try SQLiteWorkflowStore(path: path)
        let applied = try store.pool.read { db in try StoreDatabase.migrator.appliedMigrations(db) }
        XCTAssertEqual(applied, StoreDatabase.migrator.migrations)
        XCTAssertEqual(applied.first, "v1")
    }
}

final class WALCheckpointTests: XCTestCase {
    func testTheLogIsCheckpointedInTheBackgroundNotByTheWriter() async throws {
        let world = try StoreWorld()
        defer { world.cleanUp() }
        try await world.create("run_wal")
        let sizeBefore = try Self.size(of: world.path)
        let text = String(repeating: "x", count: 1_000)
        for chunk in 0..<10 {
            var batch = StoreBatch()
            batch.events = (0..<100).map { _ in NewEvent(runID: "run_wal", kind: .log, data: ["n": .int(chunk), "text": .string(text)]) }
            try await world.store.commit(batch)
        }
        // About 1 MB went to the log; the writer's own threshold (40 MB) is far away.
        XCTAssertEqual(try Self.size(of: world.path), sizeBefore, "the writer did not checkpoint inside a commit")
        var grown = false
        for _ in 0..<40 where !grown {
            try await Task.sleep(for: .milliseconds(100))
            grown = try Self.size(of: world.path) > sizeBefore + 500_000
        }
        XCTAssertTrue(grown, "the background checkpointer copied the log into the database file")
    }

    private static func size(of path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }
}
