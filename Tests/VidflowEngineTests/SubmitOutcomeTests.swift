import Foundation
import Synchronization
import VidflowCore
import VidflowEngine
import XCTest

/// A submit error that says whether the job was certainly not created.
private struct RefusedSubmit: SubmitOutcomeError {
    var jobCertainlyNotCreated: Bool
}

/// What the `test.refused-once` stage saw, per test.
private final class SubmitLog: Sendable {
    let calls = Mutex<(reconciles: [String], submits: Int)>(([], 0))
}

/// Its first submit fails (certainly not created, or with a lost answer); later attempts succeed.
private struct RefusedOnceStage: Stage {
    let log: SubmitLog
    let certain: Bool
    var typeName: String { "test.refused-once" }
    var version: Int { 1 }
    var schema: StageSchema { StageSchema(parameters: [], outputs: [OutputSpec("origin", .string)]) }

    func run(_ context: any StageContext) async throws -> StageResult {
        let job = try await context.submitOnce(
            provider: context.attempt == 1 ? "first" : "second", request: [:],
            reconcile: { provider, _ in
                log.calls.withLock { $0.reconciles.append(provider) }
                return nil
            },
            submit: { key in
                let count = log.calls.withLock { state -> Int in
                    state.submits += 1
                    return state.submits
                }
                if count == 1 { throw RefusedSubmit(jobCertainlyNotCreated: certain) }
                return "job-for-\(key)"
            })
        return StageResult(outputs: ["origin": .string(job.origin.rawValue)])
    }
}

final class SubmitOutcomeTests: XCTestCase {
    private func run(certain: Bool) async throws -> (SubmitLog, RunRecord, ExternalJobRecord?) {
        let log = SubmitLog()
        let registry = StageRegistry([RefusedOnceStage(log: log, certain: certain)])
        let world = try EngineWorld(registry: registry)
        defer { world.cleanUp() }
        let definition = try DefinitionValidator(registry: registry).load("""
            name: refused
            defaults: { retry: { max_attempts: 2, initial_interval: 10ms, max_interval: 10ms } }
            stages: [{ id: pay, uses: test.refused-once }]
            """)
        let id = try await world.engine.submit(RunRequest(definition: definition))
        let run = try await world.engine.wait(id)
        return (log, run, try await world.store.externalJob(runID: id, stageID: "pay"))
    }

    func testACertainlyRefusedSubmitDropsItsIntentSoTheNextAttemptNeedsNoReconcile() async throws {
        let (log, run, job) = try await run(certain: true)
        XCTAssertEqual(run.status, .completed)
        XCTAssertEqual(log.calls.withLock { $0.reconciles }, [], "nothing to reconcile: the first intent was dropped")
        XCTAssertEqual(job?.provider, "second", "the intent belongs to the provider that took the job")
        XCTAssertNotNil(job?.externalID)
    }

    func testALostAnswerIsReconciledWithTheProviderItWasSentTo() async throws {
        let (log, run, job) = try await run(certain: false)
        XCTAssertEqual(run.status, .completed)
        XCTAssertEqual(log.calls.withLock { $0.reconciles }, ["first"], "asked where the lost submit went")
        XCTAssertEqual(job?.provider, "second")
        XCTAssertEqual(job?.idempotencyKey.hasPrefix("vf-"), true)
    }
}
