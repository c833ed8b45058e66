import Foundation
import VidflowCore
import VidflowStore
import XCTest

/// Concurrent creates share group-committed transactions (`CommitQueue`): each one still stands or
/// falls alone, and each caller learns its own outcome.
final class GroupCommitTests: XCTestCase {
    func testConcurrentCreatesCommitTogetherWhileABadOneFailsAloneAndASharedIdempotencyKeyNamesOneRun() async throws {
        let world = try StoreWorld()
        defer { world.cleanUp() }
        try await world.create("run_busy_base")   // still pending: a retry of it must be refused
        let outcomes = try await withThrowingTaskGroup(of: (String, Result<String, StoreError>).self) { group in
            for index in 0..<60 {
                group.addTask {
                    let id = "run_\(index)"
                    do {
                        switch index {
                        case 7: return (id, .success(try await world.create(id, base: "run_missing")))
                        case 8: return (id, .success(try await world.create(id, base: "run_busy_base")))
                        case 20..<25: return (id, .success(try await world.create(id, key: "same-key")))
                        default: return (id, .success(try await world.create(id, owner: "engine-1")))
                        }
                    } catch let error as StoreError {
                        return (id, .failure(error))
                    }
                }
            }
            return try await group.reduce(into: [String: Result<String, StoreError>]()) { $0[$1.0] = $1.1 }
        }
        XCTAssertEqual(outcomes["run_7"].flatMap { try? $0.get() }, nil)
        if case .failure(.runNotFound("run_missing"))? = outcomes["run_7"] {} else { XCTFail("run_7: \(String(describing: outcomes["run_7"]))") }
        if case .failure(.conflict)? = outcomes["run_8"] {} else { XCTFail("run_8: \(String(describing: outcomes["run_8"]))") }
        let keyed = Set((20..<25).compactMap { try? outcomes["run_\($0)"]?.get() })
        XCTAssertEqual(keyed.count, 1, "one idempotency key names one run, whoever wins")
        for index in 0..<60 where index != 7 && index != 8 && !(20..<25).contains(index) {
            XCTAssertEqual(try outcomes["run_\(index)"]?.get(), "run_\(index)")
            let stages = try await world.store.stages(of: "run_\(index)")
            XCTAssertEqual(stages.map(\.stageID), ["a", "b"], "run_\(index) has its stages")
        }
        let refused = try await world.store.run("run_7")
        XCTAssertNil(refused, "a refused create leaves no row behind")
        let refusedStages = try await world.store.stages(of: "run_8")
        XCTAssertEqual(refusedStages.count, 0, "a refused create leaves no stage behind")
    }
}
