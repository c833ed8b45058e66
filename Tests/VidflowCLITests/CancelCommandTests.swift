import Foundation
import XCTest

final class CancelCommandTests: XCTestCase {
    /// Polls the store until the newest run has `stage` running; returns the run's id. Errors while the child
    /// process is still creating the database are retried.
    static func waitForRunningStage(_ world: CLIWorld, stage: String, timeout: TimeInterval = 15) async throws -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
            guard FileManager.default.fileExists(atPath: world.dataDirectory + "/vidflow.sqlite"),
                  let store = try? world.store(),
                  let run = try? await store.runs(status: nil, limit: 1, createdBefore: nil).first,
                  let stages = try? await store.stages(of: run.id)
            else { continue }
            if stages.contains(where: { $0.stageID == stage && $0.status == .running }) { return run.id }
        }
        return nil
    }

    func testCancelFromAnotherProcessStopsARunningRunAndItsProcessExitsOne() async throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        try world.write("slow.yaml", Workflows.slow)
        let running = try world.start(["run", "slow.yaml"])
        let found = try await Self.waitForRunningStage(world, stage: "wait")
        guard let runID = found else {
            running.kill(SIGKILL)
            return XCTFail("the run never started: \(running.finish())")
        }

        let retry = try world.run(["retry", runID])
        XCTAssertEqual(retry.status, 2, "retrying a running run is refused: \(retry)")
        XCTAssertTrue(retry.stderr.contains("still running"), "\(retry)")

        let started = Date()
        let cancel = try world.run(["cancel", runID])
        XCTAssertEqual(cancel.status, 0, "\(cancel)")
        let first = running.finish(timeout: 15)
        XCTAssertFalse(first.signalled, "\(first)")
        XCTAssertEqual(first.status, 1, "\(first)")
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "the owner stops the run well before the stage would end")
        XCTAssertTrue(first.stdout.contains("run \(runID) cancelled"), "\(first)")

        let status = try world.run(["status", runID, "--json"])
        XCTAssertEqual(status.json?["status"] as? String, "cancelled", "\(status)")
        let stages = RunCommandTests.statuses(try XCTUnwrap(status.json))
        XCTAssertEqual(stages["first"], "completed")
        XCTAssertEqual(stages["wait"], "cancelled")
        XCTAssertEqual(stages["after"], "cancelled")

        // A retry of the cancelled run runs `wait` again; a second retry meanwhile is a conflict.
        let retrying = try world.start(["retry", runID])
        let retryFound = try await Self.waitForRunningStage(world, stage: "wait")
        let retryID = try XCTUnwrap(retryFound)
        XCTAssertNotEqual(retryID, runID)
        let conflict = try world.run(["retry", runID])
        XCTAssertEqual(conflict.status, 2, "\(conflict)")
        XCTAssertEqual(conflict.stderrLines.count, 1, "\(conflict)")
        XCTAssertTrue(conflict.stderr.contains("already retrying"), "\(conflict)")
        XCTAssertEqual(try world.run(["cancel", retryID]).status, 0)
        XCTAssertEqual(retrying.finish(timeout: 15).status, 1)
    }
}
