import Foundation
import Synchronization
import VidflowCore
import VidflowProviders

/// An in-process provider whose jobs run for `jobDuration` (10 minutes by default): it counts the jobs
/// created, the status requests answered and the jobs cancelled, so a benchmark can check none leaks.
final class LongJobProvider: VideoProvider {
    private struct State {
        var created: [String: ContinuousClock.Instant] = [:]
        var cancelled: Set<String> = []
        var cancelCalls = 0
        var statusRequests = 0
    }

    let name = "longjob"
    let jobDuration: Duration
    private let state = Mutex(State())

    init(jobDuration: Duration = .seconds(600)) {
        self.jobDuration = jobDuration
    }

    var capabilities: ProviderCapabilities { ProviderCapabilities(models: ["long-1"], arbitrarySizes: true) }
    var features: ProviderFeatures { ProviderFeatures(cancel: true) }

    var created: Int { state.withLock { $0.created.count } }
    var cancelled: Int { state.withLock { $0.cancelled.count } }
    var cancelCalls: Int { state.withLock { $0.cancelCalls } }
    var statusRequests: Int { state.withLock { $0.statusRequests } }

    func submit(_ request: VideoRequest, idempotencyKey: String) async throws -> String {
        state.withLock { state in
            let id = "long-\(state.created.count + 1)"
            state.created[id] = .now
            return id
        }
    }

    func status(of jobID: String) async throws -> VideoJobStatus {
        let (started, cancelled) = state.withLock { state in
            state.statusRequests += 1
            return (state.created[jobID], state.cancelled.contains(jobID))
        }
        guard let started else {
            throw ProviderError(provider: name, operation: "status of \(jobID)", kind: .invalidInput, message: "no such job")
        }
        if cancelled { return VideoJobStatus(state: .cancelled) }
        let elapsed = started.duration(to: .now)
        guard elapsed >= jobDuration else {
            return VideoJobStatus(state: .running, progress: Int(100 * (elapsed / jobDuration)))
        }
        return VideoJobStatus(state: .succeeded, progress: 100, result: ResultLocation(url: "file:///dev/null"))
    }

    func cancel(_ jobID: String) async throws {
        state.withLock { state in
            state.cancelCalls += 1
            state.cancelled.insert(jobID)
        }
    }

    func resultLocation(of jobID: String) async throws -> ResultLocation { ResultLocation(url: "file:///dev/null") }
}
