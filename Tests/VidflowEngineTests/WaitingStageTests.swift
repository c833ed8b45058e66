import Foundation
import Synchronization
import VidflowCore
import VidflowEngine
import VidflowStore
import XCTest

/// Stages waiting on something outside the process (`context.waiting`) hold no execution slot, while
/// the work around their waits still fits the global limit.
final class WaitingStageTests: XCTestCase {
    /// Counts stages working (outside `waiting`) and waiting at once.
    final class Gauge: Sendable {
        private let state = Mutex((working: 0, peakWorking: 0, waiting: 0, peakWaiting: 0))
        func work() async throws {
            state.withLock { $0.working += 1; $0.peakWorking = max($0.peakWorking, $0.working) }
            try await Task.sleep(for: .milliseconds(5))
            state.withLock { $0.working -= 1 }
        }
        func startWaiting() { state.withLock { $0.waiting += 1; $0.peakWaiting = max($0.peakWaiting, $0.waiting) } }
        var peakWorking: Int { state.withLock { $0.peakWorking } }
        var peakWaiting: Int { state.withLock { $0.peakWaiting } }
    }

    /// `test.waiter`: works, waits until `together` waiters wait at once (or 10 s pass), works again.
    struct WaiterStage: Stage {
        let gauge: Gauge
        var typeName: String { "test.waiter" }
        var version: Int { 1 }
        var schema: StageSchema { StageSchema(parameters: [ParameterSpec("together", .int, default: 1)], outputs: []) }

        func run(_ context: any StageContext) async throws -> StageResult {
            let together = context.int("together") ?? 1
            try await gauge.work()
            try await context.waiting {
                gauge.startWaiting()
                let deadline = ContinuousClock.now + .seconds(10)
                while gauge.peakWaiting < together, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            }
            try await gauge.work()
            return StageResult(outputs: [:])
        }
    }

    func testWaitingStagesGiveTheirSlotBackAndTakeItAgainToWork() async throws {
        let gauge = Gauge()
        let registry = StageRegistry([WaiterStage(gauge: gauge)])
        let world = try EngineWorld(registry: registry) { $0.maxConcurrency = 1 }
        defer { world.cleanUp() }
        let definition = try DefinitionValidator(registry: registry).load("""
            name: waiters
            stages:
              - { id: wait, uses: test.waiter, with: { together: 5 } }
            """)
        var ids: [String] = []
        for _ in 0..<5 { ids.append(try await world.engine.submit(RunRequest(definition: definition))) }
        let started = ContinuousClock.now
        for id in ids {
            let status = try await world.engine.wait(id).status
            XCTAssertEqual(status, .completed)
        }
        XCTAssertEqual(gauge.peakWaiting, 5, "five stages wait at once on one execution slot")
        XCTAssertEqual(gauge.peakWorking, 1, "the work around the waits still takes the one slot")
        XCTAssertLessThan(started.duration(to: .now), .seconds(8), "nobody waited for the 10 s fallback")
    }
}
