import Foundation
import VidflowCore
import VidflowEngine
import VidflowStore
import XCTest

final class EngineExecutionTests: XCTestCase {
    func testAChainRunsToCompletionPassingOutputsAlong() async throws {
        let world = try EngineWorld()
        defer { world.cleanUp() }
        let run = try await world.run("""
            name: chain
            inputs: { prompt: { type: string, required: true } }
            stages:
              - { id: a, uses: noop, with: { text: "${{ inputs.prompt }}" } }
              - { id: b, uses: noop, with: { text: "${{ stages.a.outputs.text }}!", n: 2 } }
              - { id: c, uses: noop, with: { n: "${{ stages.b.outputs.n }}" } }
            """, inputs: ["prompt": "fox"])
        XCTAssertEqual(run.status, .completed)
        let stages = try await world.stages(run.id)
        XCTAssertEqual(stages.values.map(\.status), [.completed, .completed, .completed])
        XCTAssertEqual(stages["b"]?.output?["text"], "fox!")
        XCTAssertEqual(stages["c"]?.input?["n"], 2, "a whole-expression reference keeps its type")
        XCTAssertEqual(stages["c"]?.attempts, 1)
        XCTAssertNotNil(stages["c"]?.duration)
        let stored = try await world.store.run(run.id)
        XCTAssertEqual(stored?.status, .completed)
        XCTAssertNil(stored?.error)
        let events = try await world.store.events(runID: run.id, after: 0, limit: 1000)
        XCTAssertEqual(events.map(\.id), events.map(\.id).sorted(), "event ids increase")
        XCTAssertEqual(events.last?.kind, .done)
    }

    func testRetriesWithBackoffUntilTheStageSucceeds() async throws {
        let world = try EngineWorld()
        defer { world.cleanUp() }
        let run = try await world.run("""
            name: retry
            stages:
              - id: flaky
                uses: noop
                with: { fail_times: 2 }
                retry: { max_attempts: 3, initial_interval: 10ms, max_interval: 20ms }
            """)
        XCTAssertEqual(run.status, .completed)
        let attempts = try await world.store.attempts(of: run.id)
        XCTAssertEqual(attempts.map(\.status), [.failed, .failed, .succeeded])
        XCTAssertEqual(attempts.first?.error?.kind, .transient)
        let events = try await world.store.events(runID: run.id, after: 0, limit: 1000)
        XCTAssertTrue(events.contains { $0.data["next_attempt_at"] != nil && $0.data["status"] == "queued" },
                      "the next retry time is recorded")
    }

    func testANonRetryableFailureFailsAtOnceAndSkipsDependents() async throws {
        let world = try EngineWorld()
        defer { world.cleanUp() }
        let run = try await world.run("""
            name: fail
            defaults: { retry: { max_attempts: 5, initial_interval: 10ms } }
            stages:
              - { id: a, uses: noop }
              - { id: b, uses: noop, with: { fail_times: 9, fail_kind: invalid_input } }
              - { id: c, uses: noop }
              - { id: d, uses: noop, needs: [a] }
            """)
        XCTAssertEqual(run.status, .failed)
        XCTAssertEqual(run.error?.kind, .invalidInput)
        XCTAssertTrue(run.error?.message.contains("stage 'b' failed") == true)
        let stages = try await world.stages(run.id)
        XCTAssertEqual(stages["b"]?.status, .failed)
        XCTAssertEqual(stages["b"]?.attempts, 1, "invalid_input is not retried")
        XCTAssertEqual(stages["c"]?.status, .skipped, "the chain stops at a failed stage")
        XCTAssertNil(stages["c"]?.startedAt)
        XCTAssertEqual(stages["d"]?.status, .completed, "an independent branch still finishes")
        let stored = try await world.store.run(run.id)
        XCTAssertEqual(stored?.status, .failed, "a failed run's status is readable")
    }

    func testATimeoutFailsTheAttempt() async throws {
        let world = try EngineWorld()
        defer { world.cleanUp() }
        let started = Date()
        let run = try await world.run("""
            name: slow
            stages: [{ id: s, uses: noop, timeout: 100ms, retry: 1, with: { sleep_ms: 5000 } }]
            """)
        XCTAssertEqual(run.status, .failed)
        XCTAssertEqual(run.error?.kind, .timeout)
        XCTAssertLessThan(Date().timeIntervalSince(started), 3, "the stage was stopped, not waited for")
    }

    func testConditionFalseSkipsTheStageAndItsDependentsButTheRunCompletes() async throws {
        let world = try EngineWorld()
        defer { world.cleanUp() }
        let run = try await world.run("""
            name: cond
            inputs: { loud: { type: bool, default: false } }
            stages:
              - { id: a, uses: noop }
              - { id: b, uses: noop, if: "inputs.loud" }
              - { id: c, uses: noop }
            """)
        XCTAssertEqual(run.status, .completed)
        let stages = try await world.stages(run.id)
        XCTAssertEqual(stages["b"]?.status, .skipped)
        XCTAssertEqual(stages["c"]?.status, .skipped)
    }

    func testGlobalConcurrencyLimitAndPoolsAreHonoured() async throws {
        let world = try EngineWorld { $0.maxConcurrency = 2 }
        defer { world.cleanUp() }
        let stages = (1...6).map { "  - { id: s\($0), uses: test.probe, needs: [] }" }.joined(separator: "\n")
        let run = try await world.run("name: wide\nstages:\n" + stages)
        XCTAssertEqual(run.status, .completed)
        XCTAssertEqual(probe.peak, 2)

        let pooled = try EngineWorld { $0.maxConcurrency = 8; $0.poolLimits = ["provider": 1] }
        defer { pooled.cleanUp() }
        let started = Date()
        let poolStages = (1...3).map { "  - { id: p\($0), uses: noop, needs: [], pool: provider, with: { sleep_ms: 100 } }" }
        let second = try await pooled.run("name: pool\nstages:\n" + poolStages.joined(separator: "\n"))
        XCTAssertEqual(second.status, .completed)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.29, "a pool of 1 runs its stages one by one")
    }

    func testCancelStopsTheRunningStageAndCancelsTheRest() async throws {
        let world = try EngineWorld()
        defer { world.cleanUp() }
        let definition = try world.definition("""
            name: long
            stages:
              - { id: a, uses: noop, with: { sleep_ms: 20000 } }
              - { id: b, uses: noop }
            """)
        let id = try await world.engine.submit(RunRequest(definition: definition))
        try await Task.sleep(for: .milliseconds(200))
        let started = Date()
        try await world.engine.cancel(id)
        let run = try await world.engine.wait(id)
        XCTAssertLessThan(Date().timeIntervalSince(started), 2)
        XCTAssertEqual(run.status, .cancelled)
        let stages = try await world.stages(id)
        XCTAssertEqual(stages["a"]?.status, .cancelled)
        XCTAssertEqual(stages["b"]?.status, .cancelled)
    }

    func testProgressAndLogsReachTheEventLog() async throws {
        let world = try EngineWorld()
        defer { world.cleanUp() }
        let run = try await world.run("name: p\nstages: [{ id: a, uses: noop, with: { sleep_ms: 600, progress_steps: 3 } }]")
        let events = try await world.store.events(runID: run.id, after: 0, limit: 1000)
        let percents = events.filter { $0.kind == .progress }.compactMap { $0.data["percent"]?.intValue }
        XCTAssertEqual(percents, [33, 66, 100])
    }
}
