import Foundation
import VidflowCore
import VidflowEngine
import VidflowStore
import XCTest

final class EngineModesTests: XCTestCase {
    func testRetryKeepsCompletedStagesAndRerunsFromTheFailedOne() async throws {
        let world = try EngineWorld()
        defer { world.cleanUp() }
        let flag = world.directory + "/broken"
        XCTAssertTrue(FileManager.default.createFile(atPath: flag, contents: Data()))
        let definition = try world.definition("""
            name: r
            inputs: { flag: string }
            stages:
              - { id: a, uses: noop, with: { v: 1 } }
              - { id: b, uses: test.flaky, with: { flag: "${{ inputs.flag }}" } }
              - { id: c, uses: noop }
            """)
        let first = try await world.engine.wait(try await world.engine.submit(RunRequest(definition: definition, inputs: ["flag": .string(flag)])))
        XCTAssertEqual(first.status, .failed)
        try FileManager.default.removeItem(atPath: flag)

        let retryID = try await world.engine.submit(RunRequest(definition: nil, mode: .retry, baseRunID: first.id))
        let retried = try await world.engine.wait(retryID)
        XCTAssertEqual(retried.status, .completed)
        XCTAssertEqual(retried.baseRunID, first.id)
        let stages = try await world.stages(retryID)
        XCTAssertEqual(stages["a"]?.reusedFrom, StageRef(runID: first.id, stageID: "a"))
        XCTAssertEqual(stages["a"]?.attempts, 0, "reused, not run")
        XCTAssertEqual(stages["b"]?.attempts, 1)
        XCTAssertEqual(stages["b"]?.planReason, "was failed in the base run")
        XCTAssertEqual(stages["c"]?.planReason, "was skipped in the base run")
        XCTAssertEqual(stages["c"]?.status, .completed)
    }

    func testAnUnchangedRerunRunsNothingAndAChangedInputRerunsOnlyWhatUsesIt() async throws {
        let world = try EngineWorld()
        defer { world.cleanUp() }
        let yaml = """
            name: inc
            inputs: { quality: { type: string, default: medium } }
            stages:
              - { id: upload, uses: noop }
              - { id: generate, uses: test.paid }
              - { id: transcode, uses: noop, with: { q: "${{ inputs.quality }}" } }
              - { id: thumbnail, uses: noop }
            """
        let base = try await world.run(yaml)
        XCTAssertEqual(base.status, .completed)
        let submitsAfterBase = paidProvider.submits.count

        let same = try await world.engine.wait(try await world.engine.submit(RunRequest(definition: nil, mode: .incremental, baseRunID: base.id)))
        let sameStages = try await world.stages(same.id)
        XCTAssertEqual(same.status, .completed)
        XCTAssertTrue(sameStages.values.allSatisfy { $0.reusedFrom != nil && $0.attempts == 0 }, "nothing ran")
        XCTAssertEqual(paidProvider.submits.count, submitsAfterBase, "an unchanged rerun submits nothing")

        let changed = try await world.engine.wait(try await world.engine.submit(
            RunRequest(definition: nil, inputs: ["quality": "high"], mode: .incremental, baseRunID: same.id)))
        let changedStages = try await world.stages(changed.id)
        XCTAssertEqual(changedStages["upload"]?.reusedFrom, StageRef(runID: base.id, stageID: "upload"), "reuse points at the origin")
        XCTAssertNotNil(changedStages["generate"]?.reusedFrom)
        XCTAssertNil(changedStages["transcode"]?.reusedFrom)
        XCTAssertNil(changedStages["thumbnail"]?.reusedFrom)
        XCTAssertEqual(changedStages["transcode"]?.output?["q"], "high")
        XCTAssertEqual(paidProvider.submits.count, submitsAfterBase)
    }

    func testDryRunPlanWritesNothing() async throws {
        let world = try EngineWorld()
        defer { world.cleanUp() }
        let base = try await world.run("name: d\nstages: [{ id: a, uses: noop }, { id: b, uses: noop }]")
        var edited = base.definition
        edited.stages[1].with["x"] = 1
        let prepared = try await world.engine.prepare(RunRequest(definition: edited, mode: .incremental, baseRunID: base.id))
        XCTAssertEqual(prepared.plan.stages.map(\.action), [.reuse, .run])
        XCTAssertEqual(prepared.plan.stage("b")?.reason.description, "parameter 'x' changed (unset → 1)")
        let runs = try await world.store.runs(status: nil, limit: 10, createdBefore: nil)
        XCTAssertEqual(runs.count, 1)
    }

    func testRetryOfARunningRunOrTwiceAtOnceIsAClearError() async throws {
        let world = try EngineWorld()
        defer { world.cleanUp() }
        let slow = try world.definition("name: s\nstages: [{ id: a, uses: noop, with: { sleep_ms: 300 } }]")
        let running = try await world.engine.submit(RunRequest(definition: slow))
        do {
            _ = try await world.engine.submit(RunRequest(definition: nil, mode: .retry, baseRunID: running))
            XCTFail("retry of a running run must be refused")
        } catch {
            XCTAssertTrue("\(error)".contains("is still running"), "\(error)")
        }
        let base = try await world.engine.wait(running)
        var edited = base.definition
        edited.stages[0].with["sleep_ms"] = 301  // the rerun runs `a` again, slowly
        let first = try await world.engine.submit(RunRequest(definition: edited, mode: .incremental, baseRunID: running))
        do {
            _ = try await world.engine.submit(RunRequest(definition: nil, mode: .retry, baseRunID: running))
            XCTFail("a second rerun of the same base while the first runs must be refused")
        } catch {
            XCTAssertTrue("\(error)".contains("already retrying"), "\(error)")
        }
        _ = try await world.engine.wait(first)
        do {
            _ = try await world.engine.submit(RunRequest(definition: nil, mode: .retry, baseRunID: "run_nope"))
            XCTFail("unknown base")
        } catch {
            XCTAssertTrue("\(error)".contains("no run with id 'run_nope'"))
        }
    }

    func testAnInvalidDefinitionCreatesNothing() async throws {
        let world = try EngineWorld()
        defer { world.cleanUp() }
        let definition = WorkflowDefinition(name: "bad", stages: [StageDefinition(id: "a", uses: "nope")])
        do {
            _ = try await world.engine.submit(RunRequest(definition: definition))
            XCTFail("must be refused")
        } catch {
            XCTAssertTrue("\(error)".contains("unknown stage type 'nope'"))
        }
        let runs = try await world.store.runs(status: nil, limit: 10, createdBefore: nil)
        XCTAssertEqual(runs.count, 0, "no half-created run")
    }

    func testIdempotencyKeyReturnsTheSameRun() async throws {
        let world = try EngineWorld()
        defer { world.cleanUp() }
        let definition = try world.definition("name: i\nstages: [{ id: a, uses: noop }]")
        let first = try await world.engine.submit(RunRequest(definition: definition, idempotencyKey: "k1"))
        let second = try await world.engine.submit(RunRequest(definition: definition, idempotencyKey: "k1"))
        XCTAssertEqual(first, second)
        _ = try await world.engine.wait(first)
    }

    func testARerunRunsAStageAgainWhenItsStoredOutputIsGoneOrAltered() async throws {
        let world = try EngineWorld()
        defer { world.cleanUp() }
        let base = try await world.run("""
            name: files
            stages:
              - { id: write, uses: test.file, with: { text: "first" } }
              - { id: after, uses: noop, with: { file: "${{ stages.write.outputs.file }}" } }
            """)
        XCTAssertEqual(base.status, .completed)
        let baseStages = try await world.stages(base.id)
        let stored = try XCTUnwrap(baseStages["write"]?.artifacts.first)
        let unchanged = try await world.engine.prepare(RunRequest(definition: nil, mode: .incremental, baseRunID: base.id))
        XCTAssertEqual(unchanged.plan.toRun.map(\.stageID), [], "while the file verifies, nothing runs")
        try Data("tampered".utf8).write(to: URL(fileURLWithPath: stored.path))
        let plan = try await world.engine.prepare(RunRequest(definition: nil, mode: .incremental, baseRunID: base.id)).plan
        XCTAssertEqual(plan.stage("write")?.action, .run)
        XCTAssertEqual(plan.stage("write")?.reason, .outputMissing)
        XCTAssertEqual(plan.stage("after")?.action, .run, "downstream of a stage that runs")
        let rerun = try await world.engine.wait(try await world.engine.submit(
            RunRequest(definition: nil, mode: .incremental, baseRunID: base.id)))
        XCTAssertEqual(rerun.status, .completed)
        let restored = try String(contentsOfFile: stored.path, encoding: .utf8)
        XCTAssertEqual(restored, "first", "the re-run stored the file again under its hash")
    }
}
