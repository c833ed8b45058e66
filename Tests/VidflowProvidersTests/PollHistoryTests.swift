import Foundation
import VidflowCore
import VidflowEngine
import VidflowProviders
import XCTest

/// `video.poll` through the engine and its SQLite store: it records how long each job took, and once a
/// model has a history it asks the provider far less often.
final class PollHistoryTests: XCTestCase {
    private let workflow = """
        name: timed
        defaults: { retry: { max_attempts: 1 } }
        stages:
          - { id: generate, uses: video.generate, with: { provider: timed, model: timed-1, prompt: "a fox" } }
          - { id: poll, uses: video.poll, with: { interval: 0.02, max_interval: 0.2, max_wait: 20 } }
        """

    func testAfterFiveRecordedJobsThePollMakesFewerStatusRequests() async throws {
        let provider = TimedProvider(duration: .milliseconds(600))
        let world = try ProvidersWorld(extraProviders: [provider])
        defer { world.cleanUp() }
        var requests: [Int] = []
        for _ in 0..<HistoryPollSchedule.minimumSamples + 1 {
            let before = provider.polls
            let run = try await world.run(try world.definition(workflow))
            XCTAssertEqual(run.status, .completed, "\(String(describing: run.error))")
            requests.append(provider.polls - before)
        }
        let recorded = try await world.store.recentJobDurations(provider: "timed", model: "timed-1")
        XCTAssertEqual(recorded.count, HistoryPollSchedule.minimumSamples + 1, "one duration per succeeded job")
        XCTAssertTrue(recorded.allSatisfy { $0 >= 0.6 && $0 < 10 }, "\(recorded)")
        let withoutHistory = requests[0..<HistoryPollSchedule.minimumSamples]
        let withHistory = requests[HistoryPollSchedule.minimumSamples]
        XCTAssertGreaterThanOrEqual(withoutHistory.min() ?? 0, 6, "0.02 s growing to 0.2 s over 0.6 s: \(requests)")
        XCTAssertLessThanOrEqual(withHistory, 3, "the first request near 0.6 s: \(requests)")
        let other = try await world.store.recentJobDurations(provider: "timed", model: "")
        XCTAssertEqual(other, [], "kept under the requested model")
    }
}
