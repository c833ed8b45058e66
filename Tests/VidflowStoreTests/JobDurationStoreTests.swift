import Foundation
import GRDB
import VidflowCore
import VidflowStore
import XCTest

/// The store's history of provider job durations (`JobDurationHistory`), per provider and model.
final class JobDurationStoreTests: XCTestCase {
    func testDurationsAreKeptPerProviderAndModelNewestFirst() async throws {
        let world = try StoreWorld()
        defer { world.cleanUp() }
        let store = world.store
        for seconds in [61.0, 75, 90] { try await store.recordJobDuration(seconds, provider: "kling", model: "v2", finishedAt: Date()) }
        try await store.recordJobDuration(12, provider: "kling", model: "", finishedAt: Date())
        try await store.recordJobDuration(30, provider: "runway", model: "v2", finishedAt: Date())
        let kling = try await store.recentJobDurations(provider: "kling", model: "v2")
        XCTAssertEqual(kling, [90, 75, 61])
        let klingDefault = try await store.recentJobDurations(provider: "kling", model: "")
        XCTAssertEqual(klingDefault, [12])
        let runway = try await store.recentJobDurations(provider: "runway", model: "v2")
        XCTAssertEqual(runway, [30])
        let none = try await store.recentJobDurations(provider: "fal", model: "v2")
        XCTAssertEqual(none, [])
        try await store.recordJobDuration(.nan, provider: "kling", model: "v2", finishedAt: Date())
        try await store.recordJobDuration(-3, provider: "kling", model: "v2", finishedAt: Date())
        let unchanged = try await store.recentJobDurations(provider: "kling", model: "v2")
        XCTAssertEqual(unchanged.count, 3, "unusable durations are not recorded")
    }

    func testOnlyTheNewestTwoHundredDurationsOfAModelStayInTheFile() async throws {
        let world = try StoreWorld()
        defer { world.cleanUp() }
        let store = world.store
        for index in 1...230 {
            try await store.recordJobDuration(Double(index), provider: "kling", model: "v2", finishedAt: Date())
        }
        try await store.recordJobDuration(5, provider: "kling", model: "v1", finishedAt: Date())
        let kept = try await store.recentJobDurations(provider: "kling", model: "v2")
        XCTAssertEqual(kept.count, 200)
        XCTAssertEqual(kept.first, 230)
        XCTAssertEqual(kept.last, 31)
        let rows = try await DatabaseQueue(path: world.path).read { db in
            try Int.fetchAll(db, sql: "SELECT COUNT(*) FROM job_durations GROUP BY model ORDER BY model")
        }
        XCTAssertEqual(rows, [1, 200], "the rows themselves are bounded, not only the answer")
    }

    func testFirstSubmissionIsTheEarliestRecordOfThatJobAtThatProvider() async throws {
        let world = try StoreWorld()
        defer { world.cleanUp() }
        try await world.create("run_a")
        try await world.create("run_b")
        let first = Date(timeIntervalSince1970: 1_700_000_000)
        var submitted = ExternalJobRecord(runID: "run_a", stageID: "a", provider: "kling", idempotencyKey: "vf-run_a-a",
                                          request: ["unified": ["model": "v2"]], attempt: 1)
        submitted.externalID = "task-1"
        submitted.submittedAt = first
        var kept = ExternalJobRecord(runID: "run_b", stageID: "a", provider: "kling", idempotencyKey: "vf-run_b-a",
                                     request: ["kept_from": "vf-run_a-a"], attempt: 1)
        kept.externalID = "task-1"
        kept.submittedAt = first.addingTimeInterval(300)
        var batch = StoreBatch()
        batch.jobs = [kept, submitted]
        try await world.store.commit(batch)
        let found = try await world.store.firstSubmission(provider: "kling", externalID: "task-1")
        XCTAssertEqual(found?.runID, "run_a")
        XCTAssertEqual(found?.submittedAt, first)
        XCTAssertEqual(found?.request["unified"]?["model"], "v2")
        let otherProvider = try await world.store.firstSubmission(provider: "runway", externalID: "task-1")
        XCTAssertNil(otherProvider)
        let unknown = try await world.store.firstSubmission(provider: "kling", externalID: "task-2")
        XCTAssertNil(unknown)
    }
}
