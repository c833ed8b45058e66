import Foundation
import Synchronization
import VidflowCore
import VidflowProviders

/// A fake remote provider: each submitted job follows the next script (fail, hang or succeed with a file).
final class ScriptedProvider: VideoProvider {
    /// What a job does.
    enum Script: Sendable {
        case fail(String)
        case runForever
        case succeed(url: String)
    }

    let name = "scripted"
    private let state: Mutex<(scripts: [Script], jobs: [String: Script], keys: [String: String], submits: Int, polls: Int,
                              cancelled: [String])>
    private let takesCallbacks: Bool

    init(scripts: [Script], callbacks: Bool = false) {
        state = Mutex((scripts, [:], [:], 0, 0, []))
        takesCallbacks = callbacks
    }

    var submits: Int { state.withLock { $0.submits } }
    /// Status requests answered.
    var polls: Int { state.withLock { $0.polls } }

    /// Jobs `cancel` was called for.
    var cancelled: [String] { state.withLock { $0.cancelled } }

    var features: ProviderFeatures { ProviderFeatures(cancel: true, callbacks: takesCallbacks, reconcile: true) }

    var capabilities: ProviderCapabilities {
        ProviderCapabilities(models: ["scripted-1"], arbitrarySizes: true, imageInput: true, seed: true)
    }

    func submit(_ request: VideoRequest, idempotencyKey: String) async throws -> String {
        state.withLock { state in
            state.submits += 1
            let id = "job-\(state.submits)"
            state.jobs[id] = state.scripts.isEmpty ? .runForever : state.scripts.removeFirst()
            state.keys[idempotencyKey] = id
            return id
        }
    }

    func status(of jobID: String) async throws -> VideoJobStatus {
        let script: Script? = state.withLock { state in
            state.polls += 1
            return state.jobs[jobID]
        }
        switch script {
        case nil:
            throw ProviderError(provider: name, operation: "status of \(jobID)", kind: .invalidInput, message: "no such job")
        case .fail(let message)?:
            return VideoJobStatus(state: .failed, errorMessage: message, errorKind: .providerFailed)
        case .runForever?:
            return VideoJobStatus(state: .running, progress: 10, pollAfterMs: 20)
        case .succeed(let url)?:
            return VideoJobStatus(state: .succeeded, progress: 100, result: ResultLocation(url: url))
        }
    }

    func cancel(_ jobID: String) async throws { state.withLock { $0.cancelled.append(jobID) } }

    func lookup(idempotencyKey: String, request: VideoRequest) async throws -> String? { state.withLock { $0.keys[idempotencyKey] } }

    func resultLocation(of jobID: String) async throws -> ResultLocation {
        guard let url = try await status(of: jobID).result?.url else {
            throw ProviderError(provider: name, operation: "result of \(jobID)", kind: .invalidInput, message: "not done")
        }
        return ResultLocation(url: url)
    }
}
