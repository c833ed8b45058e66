import Foundation
import VidflowCore
import VidflowEngine
import VidflowStore
import XCTest

final class EngineRetryTests: XCTestCase {
    func testARetriedAttemptPollsTheRecordedJobInsteadOfPayingAgain() async throws {
        let world = try EngineWorld()
        defer { world.cleanUp() }
        let before = paidProvider.submits.count
        let run = try await world.run("""
            name: paid-retry
            stages:
              - id: generate
                uses: test.paid-flaky
                with: { fail_times: 2 }
                retry: { max_attempts: 3, initial_interval: 5ms, max_interval: 10ms }
            """)
        XCTAssertEqual(run.status, .completed)
        XCTAssertEqual(paidProvider.submits.count - before, 1, "three attempts, one submit")
        let stages = try await world.stages(run.id)
        XCTAssertEqual(stages["generate"]?.output?["origin"], "recorded")
        XCTAssertEqual(stages["generate"]?.attempts, 3)
        let job = try await world.store.externalJob(runID: run.id, stageID: "generate")
        XCTAssertEqual(job?.externalID.map(JSONValue.string), stages["generate"]?.output?["job_id"])
        XCTAssertEqual(job?.attempt, 1, "the intent belongs to the attempt that submitted")
        let attempts = try await world.store.attempts(of: run.id)
        XCTAssertEqual(attempts.map(\.status), [.failed, .failed, .succeeded])
        for (earlier, later) in zip(attempts, attempts.dropFirst()) {
            XCTAssertGreaterThanOrEqual(later.startedAt, earlier.endedAt ?? .distantFuture, "each attempt keeps its own start time")
        }
    }

    func testAStageWaitingForItsBackoffShowsWhenItRetries() async throws {
        let world = try EngineWorld()
        defer { world.cleanUp() }
        let definition = try world.definition("""
            name: backoff
            stages:
              - id: flaky
                uses: noop
                with: { fail_times: 1 }
                retry: { max_attempts: 2, initial_interval: 60s, max_interval: 60s }
            """)
        let started = Date()
        let id = try await world.engine.submit(RunRequest(definition: definition))
        var waiting: StageRecord?
        for _ in 0..<200 where waiting == nil {
            try await Task.sleep(for: .milliseconds(10))
            waiting = try await world.stages(id)["flaky"].flatMap { $0.nextAttemptAt == nil ? nil : $0 }
        }
        let stage = try XCTUnwrap(waiting, "the stage records its next attempt time while it waits")
        XCTAssertEqual(stage.status, .queued)
        XCTAssertEqual(stage.error?.kind, .transient, "the last failure stays visible while waiting")
        let due = try XCTUnwrap(stage.nextAttemptAt)
        XCTAssertLessThanOrEqual(due.timeIntervalSince(started), 60.1, "full jitter never exceeds the ceiling")
        try await world.engine.cancel(id)
        let run = try await world.engine.wait(id)
        XCTAssertEqual(run.status, .cancelled, "a run waiting for a retry can be cancelled")
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }
}
