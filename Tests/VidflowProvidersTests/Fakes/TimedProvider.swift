import Foundation
import Synchronization
import VidflowCore
import VidflowProviders

/// A fake provider whose every job runs for `duration` of wall-clock time from its submit, then succeeds;
/// it counts the status requests it answers.
final class TimedProvider: VideoProvider {
    let name = "timed"
    let duration: Duration
    private let state = Mutex((submitted: [String: ContinuousClock.Instant](), polls: 0))

    init(duration: Duration) {
        self.duration = duration
    }

    /// Status requests answered so far.
    var polls: Int { state.withLock { $0.polls } }

    var capabilities: ProviderCapabilities { ProviderCapabilities(models: ["timed-1"], arbitrarySizes: true) }

    func submit(_ request: VideoRequest, idempotencyKey: String) async throws -> String {
        state.withLock { state in
            let id = "timed-\(state.submitted.count + 1)"
            state.submitted[id] = .now
            return id
        }
    }

    func status(of jobID: String) async throws -> VideoJobStatus {
        let submitted: ContinuousClock.Instant? = state.withLock { state in
            state.polls += 1
            return state.submitted[jobID]
        }
        guard let submitted else {
            throw ProviderError(provider: name, operation: "status of \(jobID)", kind: .invalidInput, message: "no such job")
        }
        guard submitted.duration(to: .now) >= duration else { return VideoJobStatus(state: .running) }
        return VideoJobStatus(state: .succeeded, progress: 100, result: ResultLocation(url: "https://videos.invalid/\(jobID).mp4"))
    }

    func cancel(_ jobID: String) async throws {}

    func resultLocation(of jobID: String) async throws -> ResultLocation {
        ResultLocation(url: "https://videos.invalid/\(jobID).mp4")
    }
}
