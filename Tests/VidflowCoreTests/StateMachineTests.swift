import XCTest
@testable import VidflowCore

final class StateMachineTests: XCTestCase {
    func testLegalStageTransitions() throws {
        XCTAssertEqual(try StageStatus.pending.applying(.enqueue), .queued)
        XCTAssertEqual(try StageStatus.queued.applying(.start), .running)
        XCTAssertEqual(try StageStatus.running.applying(.complete), .completed)
        XCTAssertEqual(try StageStatus.running.applying(.retry), .queued)
        XCTAssertEqual(try StageStatus.running.applying(.interrupt), .queued)
        XCTAssertEqual(try StageStatus.running.applying(.fail), .failed)
        XCTAssertEqual(try StageStatus.pending.applying(.skip), .skipped)
        XCTAssertEqual(try StageStatus.pending.applying(.reuse), .completed)
        XCTAssertEqual(try StageStatus.running.applying(.cancel), .cancelled)
    }

    func testIllegalStageTransitionsAreRejected() {
        let illegal: [(StageStatus, StageEvent)] = [
            (.pending, .complete), (.pending, .start), (.queued, .complete), (.completed, .start),
            (.failed, .retry), (.skipped, .enqueue), (.cancelled, .start), (.completed, .cancel), (.running, .reuse),
        ]
        for (status, event) in illegal {
            XCTAssertThrowsError(try status.applying(event), "\(status) + \(event)") { error in
                XCTAssertTrue("\(error)".contains("cannot \(event.rawValue) from \(status.rawValue)"))
            }
        }
        for status in StageStatus.allCases where status.isTerminal {
            for event in [StageEvent.enqueue, .start, .complete, .fail, .retry, .interrupt, .skip, .cancel, .reuse] {
                XCTAssertThrowsError(try status.applying(event), "terminal \(status) must not move on \(event)")
            }
        }
    }

    func testRunTransitions() throws {
        XCTAssertEqual(try RunStatus.pending.applying(.start), .running)
        XCTAssertEqual(try RunStatus.running.applying(.fail), .failed)
        XCTAssertThrowsError(try RunStatus.completed.applying(.start))
        XCTAssertThrowsError(try RunStatus.failed.applying(.cancel))
    }

    func testBackoffCeilingGrowsExponentiallyAndIsCapped() {
        let policy = RetryPolicy(maxAttempts: 10, initialIntervalMs: 100, maxIntervalMs: 1_000, multiplier: 2)
        XCTAssertEqual((1...6).map { policy.ceilingMs(afterAttempt: $0) }, [100, 200, 400, 800, 1_000, 1_000])
    }

    func testFullJitterStaysWithinBoundsAndSpreads() {
        let policy = RetryPolicy(maxAttempts: 10, initialIntervalMs: 100, maxIntervalMs: 1_000)
        var generator = SeededGenerator(seed: 42)
        for attempt in 1...6 {
            let delays = (0..<500).map { _ in policy.delayMs(afterAttempt: attempt, using: &generator) }
            let ceiling = policy.ceilingMs(afterAttempt: attempt)
            XCTAssertTrue(delays.allSatisfy { (0...ceiling).contains($0) })
            XCTAssertLessThan(delays.min() ?? 0, ceiling / 4, "full jitter reaches near zero")
            XCTAssertGreaterThan(delays.max() ?? 0, ceiling * 3 / 4, "full jitter reaches near the ceiling")
        }
        XCTAssertGreaterThanOrEqual(policy.delayMs(afterAttempt: 1, hintMs: 5_000, using: &generator), 5_000, "Retry-After is a floor")
    }

    func testRetryDecisions() {
        let policy = RetryPolicy(maxAttempts: 3)
        XCTAssertTrue(policy.shouldRetry(.transient, afterAttempt: 1))
        XCTAssertTrue(policy.shouldRetry(.timeout, afterAttempt: 2))
        XCTAssertFalse(policy.shouldRetry(.transient, afterAttempt: 3), "attempts exhausted")
        for kind in [ErrorKind.invalidInput, .rejectedContent, .auth, .cancelled] {
            XCTAssertFalse(policy.shouldRetry(kind, afterAttempt: 1), "\(kind) fails at once")
        }
    }
}

/// SplitMix64: a deterministic generator for repeatable jitter tests.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
