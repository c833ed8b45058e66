import Foundation
import VidflowCore
import XCTest

final class CrashRecoveryTests: XCTestCase {
    /// `vidflow run` is SIGKILLed at random points, again and again; `vidflow resume` then completes every
    /// run, and the fake provider saw exactly one submit per paid stage per run.
    func testKilledRunsAreResumedAndNoPaidStageIsEverSubmittedTwice() async throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        try world.write("paid.yaml", Workflows.paid)
        var delays: [Int] = []
        for _ in 0..<5 {
            let delay = Int.random(in: 150...1_100)
            delays.append(delay)
            let running = try world.start(["run", "paid.yaml"])
            try await Task.sleep(for: .milliseconds(delay))
            running.kill(SIGKILL)
            _ = running.finish(timeout: 10)
        }
        let store = try world.store()
        let before = try await store.runs(status: nil, limit: 100, createdBefore: nil)
        XCTAssertFalse(before.isEmpty, "no run was ever created (delays \(delays))")

        let resume = try world.run(["resume"], timeout: 40)
        XCTAssertEqual(resume.status, 0, "delays \(delays): \(resume)")

        let runs = try await store.runs(status: nil, limit: 100, createdBefore: nil)
        XCTAssertEqual(runs.count, before.count)
        for run in runs {
            XCTAssertEqual(run.status, .completed, "run \(run.id) (delays \(delays))")
        }
        let log = (try? String(contentsOfFile: world.dataDirectory + "/test-paid-submits.log", encoding: .utf8)) ?? ""
        let submits = log.split(separator: "\n").map(String.init)
        var expected: [String] = []
        for run in runs {
            for stage in ["pay1", "pay2", "pay3"] { expected.append("vf-\(run.id)-\(stage)") }
        }
        XCTAssertEqual(submits.sorted(), expected.sorted(), "one submit per paid stage per run (delays \(delays))")
        var interrupted = 0
        for run in runs {
            interrupted += try await store.attempts(of: run.id).filter { $0.status == .interrupted }.count
        }
        XCTAssertGreaterThan(interrupted, 0, "some kill landed inside a stage (delays \(delays))")
        for run in runs {
            for stage in try await store.stages(of: run.id) where stage.type == "test.paid" {
                XCTAssertEqual(stage.output?["job_id"]?.stringValue, "job-vf-\(run.id)-\(stage.stageID)")
            }
        }
    }

    func testResumeWithNothingInterruptedSaysSoAndExitsZero() throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        let result = try world.run(["resume"])
        XCTAssertEqual(result.status, 0, "\(result)")
        XCTAssertEqual(result.stdoutLines, ["nothing to resume"])
    }
}
