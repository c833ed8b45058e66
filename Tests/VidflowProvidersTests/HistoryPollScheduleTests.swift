import VidflowProviders
import XCTest

/// `HistoryPollSchedule`: polls placed by the durations a provider's model took before. No clocks.
final class HistoryPollScheduleTests: XCTestCase {
    private let base = PollSchedule(initialMs: 500, maxMs: 10_000)

    /// `count` durations spread evenly over `range` seconds.
    private func history(_ range: ClosedRange<Double>, count: Int = 200) -> [Double] {
        (0..<count).map { range.lowerBound + (range.upperBound - range.lowerBound) * Double($0) / Double(count - 1) }
    }

    func testANinetySecondJobOnAModelThatTookSixtyToOneHundredTwentySecondsCostsAtMostFourRequests() {
        let schedule = HistoryPollSchedule(durations: history(60...120), ageMs: 0, base: base)
        XCTAssertTrue(schedule.usesHistory)
        XCTAssertEqual(schedule.firstWaitMs, 66_000, "the first request when a tenth of such jobs had finished")
        let (requests, late) = HistoryPollSchedule.simulate(schedule, jobSeconds: 90)
        XCTAssertLessThanOrEqual(requests, 4)
        XCTAssertLessThanOrEqual(late, 5)
        let withoutHistory = PollSchedule.simulate(base, jobSeconds: 90)
        XCTAssertGreaterThan(withoutHistory.requests, 10, "what the history saves")
    }

    func testJobsDrawnFromTheHistoryAreSeenAtMostFiveSecondsLateOnAverage() {
        let durations = history(60...120)
        let schedule = HistoryPollSchedule(durations: durations, ageMs: 0, base: base)
        let runs = durations.map { HistoryPollSchedule.simulate(schedule, jobSeconds: $0) }
        let meanLate = runs.map(\.lateBy).reduce(0, +) / Double(runs.count)
        let meanRequests = Double(runs.map(\.requests).reduce(0, +)) / Double(runs.count)
        XCTAssertLessThanOrEqual(meanLate, 5)
        XCTAssertLessThanOrEqual(meanRequests, 4.5)
    }

    func testWithFewerThanFiveDurationsTheScheduleIsTodaysGeometricOne() {
        for hint in [nil, 2_000] as [Int?] {
            var schedule = HistoryPollSchedule(durations: [80, 90, 100, 110], ageMs: 30_000, base: base)
            var geometric = base
            XCTAssertFalse(schedule.usesHistory)
            XCTAssertEqual(schedule.firstWaitMs, 0, "the first request at once")
            for _ in 0..<20 { XCTAssertEqual(schedule.next(hintMs: hint), geometric.next(hintMs: hint)) }
        }
        let empty = HistoryPollSchedule(durations: [.nan, -1, .infinity, 1e300, 90, 90, 90], ageMs: 0, base: base)
        XCTAssertFalse(empty.usesHistory, "unusable durations do not count")
    }

    func testAProviderHintIsAFloorOnEveryWait() {
        var schedule = HistoryPollSchedule(durations: history(60...120), ageMs: 0, base: base)
        for _ in 0..<30 { XCTAssertGreaterThanOrEqual(schedule.next(hintMs: 15_000), 15_000) }
        var unhinted = HistoryPollSchedule(durations: history(60...120), ageMs: 0, base: base)
        XCTAssertEqual(unhinted.next(hintMs: nil), 9_600, "p10 → p26 without a hint")
        var capped = HistoryPollSchedule(durations: history(60...120), ageMs: 0, base: base)
        XCTAssertEqual(capped.next(hintMs: 600_000), 60_000, "a hint counts up to a minute, as in PollSchedule")
    }

    func testMaxIntervalCapsEveryWaitFromTheFirstRequestOn() {
        let tight = PollSchedule(initialMs: 500, maxMs: 3_000)
        var schedule = HistoryPollSchedule(durations: history(60...120), ageMs: 0, base: tight)
        XCTAssertEqual(schedule.firstWaitMs, 66_000, "the wait before the first request is the history's")
        let waits = (0..<60).map { _ in schedule.next(hintMs: nil) }
        XCTAssertLessThanOrEqual(waits.max() ?? .max, 3_000)
        XCTAssertGreaterThanOrEqual(waits.min() ?? 0, 500, "interval is the shortest wait")
        XCTAssertEqual(waits[0], 2_400, "a 9.6 s gap split into four equal waits, not 3 + 3 + 3 + 0.6")
        var long = HistoryPollSchedule(durations: history(420...780), ageMs: 0, base: base)
        XCTAssertLessThanOrEqual((0..<200).map { _ in long.next(hintMs: nil) }.max() ?? .max, 10_000)
    }

    func testPastTheNinetiethPercentileTheWaitsGrowToMaxInterval() {
        var schedule = HistoryPollSchedule(durations: history(3...7), ageMs: 0, base: base)
        let waits = (0..<20).map { _ in schedule.next(hintMs: nil) }
        let tail = waits.suffix(14)
        XCTAssertEqual(Array(tail), tail.sorted(), "growing: \(waits)")
        XCTAssertEqual(tail.last, 10_000)
    }

    func testAJobPolledLateIsAskedAtOnceThenPlannedFromItsAge() {
        var schedule = HistoryPollSchedule(durations: history(60...120), ageMs: 80_000, base: base)
        XCTAssertEqual(schedule.firstWaitMs, 0)
        XCTAssertEqual(schedule.next(hintMs: nil), 5_200, "to p42 (85.2 s) from 80 s")
        let recovered = HistoryPollSchedule(durations: history(60...120), ageMs: 3_600_000, base: base)
        XCTAssertEqual(recovered.firstWaitMs, 0, "a job older than its history is asked about at once")
    }

    func testWithACallbackThereIsOneConfirmingRequestAtTheMedian() {
        var schedule = HistoryPollSchedule(durations: history(60...120), ageMs: 0, base: base, callbacks: true)
        XCTAssertEqual(schedule.firstWaitMs, 90_000)
        XCTAssertEqual(HistoryPollSchedule.simulate(schedule, jobSeconds: 90, callback: true).requests, 1)
        XCTAssertEqual(HistoryPollSchedule.simulate(schedule, jobSeconds: 70, callback: true).requests, 0)
        XCTAssertEqual(schedule.next(hintMs: nil), 24_000, "then nothing until p90 (a lost callback), not capped by max_interval")
        XCTAssertEqual(schedule.next(hintMs: nil), 9_600, "then growing waits, capped")
    }
}
