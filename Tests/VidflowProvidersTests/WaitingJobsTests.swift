import Foundation
import VidflowCore
import VidflowEngine
import VidflowProviders
import VidflowStore
import XCTest

/// A stage waiting on a provider holds no execution slot, and a cancelled run stops every provider job
/// it recorded, whatever stage it was in, whoever asked for the cancel.
final class WaitingJobsTests: XCTestCase {
    /// A real SQLite store and an engine over `provider`, with the given slots and pools.
    private struct World {
        let directory: String
        let store: SQLiteWorkflowStore
        let engine: Engine
        let registry: StageRegistry

        init(_ provider: ScriptedProvider, maxConcurrency: Int, pools: [String: Int]) throws {
            directory = NSTemporaryDirectory() + "vidflow-waiting-\(UUID().uuidString.prefix(8))"
            store = try SQLiteWorkflowStore(path: directory + "/vidflow.sqlite")
            registry = BuiltinStages.registry(providers: ProviderRegistry([provider]))
            engine = Engine(store: store, registry: registry, artifacts: try FileArtifactStore(root: directory),
                            configuration: EngineConfiguration(dataDirectory: directory, maxConcurrency: maxConcurrency,
                                                               poolLimits: pools, cancelPollInterval: .milliseconds(50)))
        }

        func definition(pollPool: String? = nil) throws -> WorkflowDefinition {
            let pool = pollPool.map { ", pool: \($0)" } ?? ""
            return try DefinitionValidator(registry: registry).load("""
                name: waiting
                stages:
                  - { id: generate, uses: video.generate, with: { provider: scripted, prompt: "a fox" } }
                  - { id: poll, uses: video.poll\(pool), with: { interval: 0.1, max_interval: 0.3, max_wait: 120 } }
                """)
        }

        func stage(_ runID: String, _ stageID: String) async throws -> StageRecord? {
            try await store.stages(of: runID).first { $0.stageID == stageID }
        }

        func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// Polls `condition` every 10 ms, failing after `seconds`.
    private func eventually(_ what: String, within seconds: Double = 30, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while try await !condition() {
            guard Date() < deadline else { return XCTFail("not within \(seconds) s: \(what)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    func testWaitingPollsHoldNoExecutionSlotSoTwentyJobsAreInFlightOnTwoSlots() async throws {
        let provider = ScriptedProvider(scripts: [])   // every job runs until cancelled
        let world = try World(provider, maxConcurrency: 2, pools: ["provider:scripted": 50])
        defer { world.cleanUp() }
        let definition = try world.definition()
        var ids: [String] = []
        for _ in 0..<20 { ids.append(try await world.engine.submit(RunRequest(definition: definition))) }
        try await eventually("20 jobs submitted with 2 execution slots") { provider.submits == 20 }
        XCTAssertEqual(provider.submits, 20, "every generation is in flight at once; none has finished")
        let polling = try await world.store.runs(status: .running, limit: 100, createdBefore: nil).count
        XCTAssertEqual(polling, 20)
        for id in ids { try await world.engine.cancel(id) }
        for id in ids { _ = try await world.engine.wait(id) }
        XCTAssertEqual(provider.cancelled.sorted(), (1...20).map { "job-\($0)" }.sorted())
    }

    func testCancellingARunBetweenGenerateAndPollCancelsItsJob() async throws {
        let provider = ScriptedProvider(scripts: [])
        // One poll at a time: the second run's poll waits for the first's to end.
        let world = try World(provider, maxConcurrency: 4, pools: ["gate": 1])
        defer { world.cleanUp() }
        let definition = try world.definition(pollPool: "gate")
        let first = try await world.engine.submit(RunRequest(definition: definition))
        try await eventually("the first run polls") { provider.polls >= 1 }
        let second = try await world.engine.submit(RunRequest(definition: definition))
        try await eventually("the second run's generate finished, its poll waiting") {
            try await world.stage(second, "generate")?.status == .completed
        }
        let poll = try await world.stage(second, "poll")?.status
        XCTAssertEqual(poll, .queued, "the poll has not started")
        try await world.engine.cancel(second)
        let cancelled = try await world.engine.wait(second)
        XCTAssertEqual(cancelled.status, .cancelled)
        XCTAssertEqual(provider.cancelled, ["job-2"], "the job of a run cancelled before its poll is cancelled at the provider")
        let logs = try await world.store.events(runID: second, after: 0, limit: 1000).filter { $0.kind == .log }
        XCTAssertTrue(logs.contains { $0.data["message"]?.stringValue == "cancelled job job-2 at scripted" })

        try await world.engine.cancel(first)
        _ = try await world.engine.wait(first)
        XCTAssertEqual(provider.cancelled, ["job-2", "job-1"], "each job cancelled exactly once")
    }

    func testACancelWrittenByAnotherProcessIsPickedUpAndCancelsTheJob() async throws {
        let provider = ScriptedProvider(scripts: [])
        let world = try World(provider, maxConcurrency: 4, pools: [:])
        defer { world.cleanUp() }
        await world.engine.start()
        let definition = try world.definition()
        let idle = try await world.engine.submit(RunRequest(definition: definition))
        let id = try await world.engine.submit(RunRequest(definition: definition))
        try await eventually("both runs poll") {
            let polls = try await [world.stage(idle, "poll")?.status, world.stage(id, "poll")?.status]
            return polls == [.running, .running]
        }
        // Another process: its own connection to the same file; this engine is not told.
        try await SQLiteWorkflowStore(path: world.store.path).requestCancel(id)
        let run = try await world.engine.wait(id)
        XCTAssertEqual(run.status, .cancelled)
        let others = try await world.store.cancelRequested(among: [idle, id, "run_unknown"])
        XCTAssertEqual(others, [], "a terminal run is no longer listed")
        let job = try await world.store.externalJob(runID: id, stageID: "generate")
        XCTAssertEqual(provider.cancelled, [try XCTUnwrap(job?.externalID)])
        let stillRunning = try await world.store.run(idle)?.status
        XCTAssertEqual(stillRunning, .running, "the other run goes on")
        try await world.engine.cancel(idle)
        _ = try await world.engine.wait(idle)
        await world.engine.stop()
    }

    func testAHundredCancellationsCancelEveryJobOnce() async throws {
        let provider = ScriptedProvider(scripts: [])
        let world = try World(provider, maxConcurrency: 2, pools: ["provider:scripted": 200])
        defer { world.cleanUp() }
        let definition = try world.definition()
        var ids: [String] = []
        for _ in 0..<100 { ids.append(try await world.engine.submit(RunRequest(definition: definition))) }
        try await eventually("100 jobs in flight", within: 60) { provider.submits == 100 }
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for id in ids { group.addTask { try await world.engine.cancel(id) } }
            try await group.waitForAll()
        }
        for id in ids {
            let status = try await world.engine.wait(id).status
            XCTAssertEqual(status, .cancelled)
        }
        XCTAssertLessThan(started.duration(to: .now), .seconds(30), "a hang, not a speed target (see the waiting bench)")
        XCTAssertEqual(provider.cancelled.count, 100, "one cancel per job")
        XCTAssertEqual(Set(provider.cancelled).count, 100, "every job created is cancelled")
    }
}
