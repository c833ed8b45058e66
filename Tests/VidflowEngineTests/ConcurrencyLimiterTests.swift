import Foundation
import VidflowEngine
import XCTest

final class ConcurrencyLimiterTests: XCTestCase {
    func testRaisingADefaultPoolLimitLetsWaitersInAtOnce() async throws {
        let limiter = ConcurrencyLimiter(globalLimit: 10, poolLimits: ["provider:fixed": 1], defaultPoolLimit: 1)
        try await limiter.acquire(pool: "provider:runway")
        XCTAssertFalse(limiter.tryAcquire(pool: "provider:runway"))
        let waiter = Task { try await limiter.acquire(pool: "provider:runway") }
        while limiter.queueDepth == 0 { try await Task.sleep(for: .milliseconds(5)) }
        limiter.setDefaultPoolLimit(3)
        try await waiter.value
        XCTAssertEqual(limiter.limit(of: "provider:runway"), 3)
        XCTAssertTrue(limiter.tryAcquire(pool: "provider:runway"), "the third slot")
        XCTAssertFalse(limiter.tryAcquire(pool: "provider:runway"))
        XCTAssertEqual(limiter.limit(of: "provider:fixed"), 1, "a pool with its own limit keeps it")
    }

    func testLoweringALimitAbsorbsReleasesOfHoldersAboveIt() async throws {
        let semaphore = AsyncSemaphore(permits: 2)
        try await semaphore.acquire()
        try await semaphore.acquire()
        semaphore.resize(to: 1)
        semaphore.release()
        XCTAssertFalse(semaphore.tryAcquire(), "one holder is still in; the limit is 1")
        semaphore.release()
        XCTAssertTrue(semaphore.tryAcquire())
    }
}
