import Foundation
import VidflowCore
import VidflowEngine
import VidflowStore
import XCTest

final class EngineRecoveryTests: XCTestCase {
    /// Writes a run as a crashed process would have left it: `stage` running, optionally with a job record.
    private func crashedRun(_ world: EngineWorld, job: (key: String, id: String?)?) async throws -> String {
        let definition = try world.definition("""
            name: crash
            stages:
              - { id: upload, uses: noop }
              - { id: generate, uses: test.paid }
              - { id: poll, uses: noop, with: { job: "${{ stages.generate.outputs.job_id }}" } }
            """)
        let prepared = try await world.engine.prepare(RunRequest(definition: definition))
        var stages = prepared.stages
        stages[0].status = .completed
        stages[0].output = [:]
        stages[1].status = .running
        stages[1].attempts = 1
        var run = prepared.run
        run.status = .running
        _ = try await world.store.createRun(run, stages: stages, events: [], owner: "elsewhere:999999:dead")
        if let job {
            var batch = StoreBatch()
            var record = ExternalJobRecord(runID: run.id, stageID: "generate", provider: "counting",
                                           idempotencyKey: job.key, request: [:], attempt: 1)
            record.externalID = job.id
            batch.jobs = [record]
            try await world.store.commit(batch)
        }
        return run.id
    }

    private func recover(_ world: EngineWorld) async throws -> Engine {
        let engine = try EngineWorld.engine(store: world.store, directory: world.directory) { $0.staleAfter = 0 }
        let claimed = try await engine.recover()
        XCTAssertFalse(claimed.isEmpty)
        await engine.waitForAll()
        return engine
    }

    func testARecordedJobIdIsPolledNeverResubmitted() async throws {
        let world = try EngineWorld()
        defer { world.cleanUp() }
        let id = try await crashedRun(world, job: ("key-recorded", "job-recorded"))
        let before = paidProvider.submits.count
        _ = try await recover(world)
        let stages = try await world.stages(id)
        let status = try await world.store.run(id)?.status
        XCTAssertEqual(status, .completed)
        XCTAssertEqual(stages["generate"]?.output?["job_id"], "job-recorded")
        XCTAssertEqual(stages["generate"]?.output?["origin"], "recorded")
        XCTAssertEqual(stages["poll"]?.output?["job"], "job-recorded")
        XCTAssertEqual(paidProvider.submits.count, before, "nothing submitted")
        let attempts = try await world.store.attempts(of: id).filter { $0.stageID == "generate" }
        XCTAssertEqual(attempts.map(\.status), [.interrupted, .succeeded])
    }

    func testAnIntentWithoutIdIsReconciledBeforeAnySubmit() async throws {
        let world = try EngineWorld()
        defer { world.cleanUp() }
        let key = "key-\(UUID().uuidString)"
        let existing = paidProvider.submit(key)  // the crashed process's submit reached the provider
        let id = try await crashedRun(world, job: (key, nil))
        let before = paidProvider.submits.count
        _ = try await recover(world)
        let stages = try await world.stages(id)
        XCTAssertEqual(stages["generate"]?.output?["job_id"], .string(existing))
        XCTAssertEqual(stages["generate"]?.output?["origin"], "reconciled")
        XCTAssertEqual(paidProvider.submits.count, before)
        let recorded = try await world.store.externalJob(runID: id, stageID: "generate")?.externalID
        XCTAssertEqual(recorded, existing)
    }

    func testAnIntentTheProviderNeverSawIsSubmittedOnceWithTheSameKey() async throws {
        let world = try EngineWorld()
        defer { world.cleanUp() }
        let key = "key-\(UUID().uuidString)"
        let id = try await crashedRun(world, job: (key, nil))
        _ = try await recover(world)
        XCTAssertEqual(paidProvider.submits.filter { $0 == key }.count, 1)
        let stages = try await world.stages(id)
        XCTAssertEqual(stages["generate"]?.output?["origin"], "submitted")
    }

    func testALiveOwnersRunIsNotTakenOver() async throws {
        let world = try EngineWorld()
        defer { world.cleanUp() }
        let definition = try world.definition("name: live\nstages: [{ id: a, uses: noop, with: { sleep_ms: 300 } }]")
        let id = try await world.engine.submit(RunRequest(definition: definition))
        let other = try EngineWorld.engine(store: world.store, directory: world.directory)
        let claimed = try await other.recover()
        XCTAssertFalse(claimed.contains(id))
        let finished = try await world.engine.wait(id)
        XCTAssertEqual(finished.status, .completed)
    }

    func testCancelOfARunWhoseOwnerDiedFinishesItAsCancelled() async throws {
        let world = try EngineWorld()
        defer { world.cleanUp() }
        let id = try await crashedRun(world, job: ("key-c-\(UUID().uuidString)", "job-x"))
        let engine = try EngineWorld.engine(store: world.store, directory: world.directory) { $0.staleAfter = 0 }
        try await engine.cancel(id)
        await engine.waitForAll()
        let run = try await world.store.run(id)
        XCTAssertEqual(run?.status, .cancelled)
    }
}
