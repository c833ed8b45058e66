import Foundation
import XCTest

final class LogsCommandTests: XCTestCase {
    func testLogsPrintsEventsInOrder() throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        try world.write("chain.yaml", Workflows.chain)
        let run = try world.run(["run", "chain.yaml", "--json"])
        let runID = try XCTUnwrap(run.json?["run_id"] as? String, "\(run)")

        let logs = try world.run(["logs", runID])
        XCTAssertEqual(logs.status, 0, "\(logs)")
        let lines = logs.stdoutLines
        func index(_ fragment: String) -> Int {
            lines.firstIndex { $0.contains(fragment) } ?? -1
        }
        let order = ["upload     running", "upload     completed", "generate   running", "generate   completed",
                     "transcode  running", "transcode  completed", "run        completed"]
        let positions = order.map(index)
        XCTAssertFalse(positions.contains(-1), "\(positions)\n\(logs)")
        XCTAssertEqual(positions, positions.sorted(), "\(logs)")
        let times = lines.map { String($0.prefix(24)) }
        XCTAssertEqual(times, times.sorted(), "times never go back")

        let json = try world.run(["logs", runID, "--json"])
        let ids = json.stdoutLines.compactMap { line -> Int? in
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            return object?["id"] as? Int
        }
        XCTAssertEqual(ids.count, lines.count)
        XCTAssertEqual(ids, ids.sorted())
    }

    func testLogsFollowPrintsNewEventsUntilTheRunEnds() async throws {
        let world = try CLIWorld()
        defer { world.cleanUp() }
        try world.write("short.yaml", """
            name: short
            stages:
              - { id: first, uses: noop }
              - { id: wait, uses: noop, with: { sleep_ms: 800 } }
              - { id: last, uses: noop }
            """)
        let running = try world.start(["run", "short.yaml"])
        let found = try await CancelCommandTests.waitForRunningStage(world, stage: "wait")
        let runID = try XCTUnwrap(found)
        let follow = try world.run(["logs", runID, "--follow"], timeout: 15)
        XCTAssertEqual(follow.status, 0, "\(follow)")
        XCTAssertTrue(follow.stdoutLines.first?.contains("  run    running") ?? false, "\(follow)")
        XCTAssertTrue(follow.stdout.contains("  last   completed"), "\(follow)")
        XCTAssertTrue(follow.stdoutLines.last?.contains("  run    completed") ?? false, "the log ends with the run: \(follow)")
        XCTAssertEqual(running.finish().status, 0)
    }
}
