import Foundation
import VidflowCore
import VidflowStore
import XCTest

final class EventPushStoreTests: XCTestCase {
    func testCommittedEventsArePushedWithTheIdsAndValuesTheStoreReadsBack() async throws {
        let world = try StoreWorld()
        defer { world.cleanUp() }
        try await world.create("r1")
        try await world.create("r2")
        let subscription = world.store.eventHub.subscribe(to: [.run("r1")])
        defer { subscription.cancel() }
        var batch = StoreBatch()
        // Values whose in-memory form differs from what JSON gives back (a whole double, a fraction of a second).
        batch.events = [
            NewEvent(runID: "r1", stageID: "a", kind: .progress, data: ["percent": .double(50), "ratio": .double(0.1)],
                     at: Date(timeIntervalSinceReferenceDate: 123_456.789_012_345)),
            NewEvent(runID: "r2", kind: .log, data: ["message": "not watched"]),
            NewEvent(runID: "r1", kind: .done, data: ["status": "completed"]),
        ]
        try await world.store.commit(batch)
        var pushed: [EventRecord] = []
        for await delivery in subscription.deliveries {
            if case .event(let event) = delivery { pushed.append(event) }
            if pushed.count == 2 { break }
        }
        let stored = try await world.store.events(runID: "r1", after: 0, limit: 10)
        XCTAssertEqual(pushed, stored)
        XCTAssertEqual(pushed.map(\.kind), [.progress, .done])
    }

    func testEventsOfConcurrentBatchesArePushedInIdOrder() async throws {
        let world = try StoreWorld()
        defer { world.cleanUp() }
        try await world.create("r1")
        let subscription = world.store.eventHub.subscribe(to: [.run("r1")])
        defer { subscription.cancel() }
        let store = world.store
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<200 {
                group.addTask {
                    var batch = StoreBatch()
                    batch.events = [NewEvent(runID: "r1", kind: .log, data: ["n": .int(n)])]
                    try await store.commit(batch)
                }
            }
            try await group.waitForAll()
        }
        var ids: [Int64] = []
        for await case .event(let event) in subscription.deliveries {
            ids.append(event.id)
            if ids.count == 200 { break }
        }
        let stored = try await store.events(runID: "r1", after: 0, limit: 1_000).map(\.id)
        XCTAssertEqual(ids, stored)
    }
}
