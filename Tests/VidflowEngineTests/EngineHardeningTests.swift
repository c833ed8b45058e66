import Foundation
import VidflowCore
import VidflowEngine
import VidflowStore
import XCTest

/// Hostile definitions already in the database, and very long ones, never crash or stall the engine.
final class EngineHardeningTests: XCTestCase {
    /// Writes a run the way a crashed process left it, with a definition the validator now refuses.
    private func crashedRun(_ world: EngineWorld, condition: String, valid: Bool = false) async throws -> String {
        let definition = WorkflowDefinition(name: "bomb", stages: [
            StageDefinition(id: "first", uses: "noop"),
            StageDefinition(id: "bomb", uses: "noop", needs: ["first"], condition: condition),
            StageDefinition(id: "after", uses: "noop", needs: ["bomb"]),
        ])
        if !valid { XCTAssertThrowsError(try DefinitionValidator(registry: testStages).validate(definition)) }
        var run = RunRecord(id: "run_bomb_\(UUID().uuidString.prefix(8).lowercased())", definition: definition, inputs: [:], mode: .full, status: .running)
        run.startedAt = Date()
        var stages = definition.stages.enumerated().map { index, stage in
            StageRecord(runID: run.id, stageID: stage.id, position: index, type: stage.uses,
                        needs: stage.needs, components: nil, planReason: "full run")
        }
        stages[0].status = .completed
        stages[0].output = [:]
        stages[1].status = .queued
        _ = try await world.store.createRun(run, stages: stages, events: [], owner: "elsewhere:999999:dead")
        return run.id
    }

    func testRecoveryFailsAStageWhoseConditionNestsTooDeepInsteadOfCrashing() async throws {
        let world = try EngineWorld()
        defer { world.cleanUp() }
        let nots = try await crashedRun(world, condition: "${{ " + String(repeating: "!", count: 100_000) + "true }}")
        let parens = try await crashedRun(world, condition: String(repeating: "(", count: 50_000) + "true"
                                          + String(repeating: ")", count: 50_000))
        let engine = try EngineWorld.engine(store: world.store, directory: world.directory) { $0.staleAfter = 0 }
        let claimed = try await engine.recover()
        XCTAssertEqual(Set(claimed), [nots, parens])
        await engine.waitForAll()
        for id in [nots, parens] {
            let run = try await world.store.run(id)
            XCTAssertEqual(run?.status, .failed)
            let stages = try await world.stages(id)
            XCTAssertEqual(stages["bomb"]?.status, .failed)
            XCTAssertEqual(stages["bomb"]?.error?.kind, .invalidInput)
            let message = try XCTUnwrap(stages["bomb"]?.error?.message)
            XCTAssertTrue(message.contains("nest more than 64 deep"), message)
            XCTAssertLessThan(message.count, 400, "the condition is quoted only in part")
            XCTAssertEqual(stages["after"]?.status, .skipped)
        }
        // A second start finds nothing left to recover: no crash loop.
        let again = try EngineWorld.engine(store: world.store, directory: world.directory) { $0.staleAfter = 0 }
        let reclaimed = try await again.recover()
        XCTAssertEqual(reclaimed, [])
    }

    func testRecoveryMarksARunWhoseRowsNoLongerLoadFailedAndGoesOn() async throws {
        let world = try EngineWorld()
        defer { world.cleanUp() }
        let unreadable = try await crashedRun(world, condition: "true", valid: true)
        let healthy = try await crashedRun(world, condition: "true", valid: true)
        let store = UnreadableRunStore(base: world.store, unreadable: unreadable)
        let engine = Engine(store: store, registry: testStages, artifacts: try FileArtifactStore(root: world.directory),
                            configuration: EngineConfiguration(dataDirectory: world.directory, staleAfter: 0))
        let claimed = try await engine.recover()
        XCTAssertEqual(Set(claimed), [unreadable, healthy])
        await engine.waitForAll()
        let healthyStatus = try await world.store.run(healthy)?.status
        XCTAssertEqual(healthyStatus, .completed, "one bad row does not stop the others")
        let failed = try await world.store.run(unreadable)
        XCTAssertEqual(failed?.status, .failed)
        XCTAssertTrue(failed?.error?.message.hasPrefix("cannot resume this run: ") == true, "\(String(describing: failed?.error))")
        let again = Engine(store: store, registry: testStages, artifacts: try FileArtifactStore(root: world.directory),
                           configuration: EngineConfiguration(dataDirectory: world.directory, staleAfter: 0))
        let reclaimed = try await again.recover()
        XCTAssertEqual(reclaimed, [], "a restart does not meet the bad run again")
    }

    func testALongChainRunsToCompletionInDefinitionOrder() async throws {
        let world = try EngineWorld()
        defer { world.cleanUp() }
        let count = 10_000
        var stages = [StageDefinition(id: "s0", uses: "noop", with: ["n": 0])]
        for index in 1..<count {
            stages.append(StageDefinition(id: "s\(index)", uses: "noop", with: ["n": "${{ previous.outputs.n }}"],
                                          needs: ["s\(index - 1)"]))
        }
        let definition = WorkflowDefinition(name: "long", stages: stages)
        let started = Date()
        let id = try await world.engine.submit(RunRequest(definition: definition))
        let run = try await world.engine.wait(id)
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(run.status, .completed)
        let records = try await world.store.stages(of: id)
        XCTAssertEqual(records.count, count)
        XCTAssertTrue(records.allSatisfy { $0.status == .completed })
        let ordered = records.sorted { ($0.startedAt ?? .distantPast) < ($1.startedAt ?? .distantPast) }
        XCTAssertEqual(ordered.first?.stageID, "s0")
        XCTAssertEqual(ordered.last?.stageID, "s\(count - 1)")
        XCTAssertLessThan(elapsed, 60, "a quadratic scheduler takes minutes here")
    }
}

/// The real SQLite store, except that one run's row no longer decodes (as if written by an older version).
private struct UnreadableRunStore: WorkflowStore {
    let base: SQLiteWorkflowStore
    let unreadable: String

    func run(_ id: String) async throws -> RunRecord? {
        if id == unreadable { throw StoreError.corrupt("column definition: nesting too deep") }
        return try await base.run(id)
    }
    func createRun(_ run: RunRecord, stages: [StageRecord], events: [NewEvent], owner: String?) async throws -> String {
        try await base.createRun(run, stages: stages, events: events, owner: owner)
    }
    func commit(_ batch: StoreBatch) async throws { try await base.commit(batch) }
    func stages(of runID: String) async throws -> [StageRecord] { try await base.stages(of: runID) }
    func attempts(of runID: String) async throws -> [AttemptRecord] { try await base.attempts(of: runID) }
    func runs(status: RunStatus?, limit: Int, createdBefore: Date?) async throws -> [RunRecord] {
        try await base.runs(status: status, limit: limit, createdBefore: createdBefore)
    }
    func events(runID: String?, after: Int64, limit: Int) async throws -> [EventRecord] {
        try await base.events(runID: runID, after: after, limit: limit)
    }
    func externalJob(runID: String, stageID: String) async throws -> ExternalJobRecord? {
        try await base.externalJob(runID: runID, stageID: stageID)
    }
    func requestCancel(_ runID: String) async throws { try await base.requestCancel(runID) }
    func isCancelRequested(_ runID: String) async throws -> Bool { try await base.isCancelRequested(runID) }
    func claimOrphans(owner: String, staleBefore: Date, isOwnerGone: @Sendable (String) -> Bool) async throws -> [String] {
        try await base.claimOrphans(owner: owner, staleBefore: staleBefore, isOwnerGone: isOwnerGone)
    }
    func claim(_ runID: String, owner: String) async throws -> Bool { try await base.claim(runID, owner: owner) }
    func heartbeat(owner: String) async throws { try await base.heartbeat(owner: owner) }
    func release(_ runID: String, owner: String) async throws { try await base.release(runID, owner: owner) }
}
