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
    private let state: Mutex<(scripts: [Script], jobs: [String: Script], keys: [String: String], submits: Int)>

    init(scripts: [Script]) {
        state = Mutex((scripts, [:], [:], 0))
    }

    var submits: Int { state.withLock { $0.submits } }

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
        switch state.withLock({ $0.jobs[jobID] }) {
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

    func cancel(_ jobID: String) async throws {}

    func lookup(idempotencyKey: String) async throws -> String? { state.withLock { $0.keys[idempotencyKey] } }

    func resultLocation(of jobID: String) async throws -> ResultLocation {
        guard let url = try await status(of: jobID).result?.url else {
            throw ProviderError(provider: name, operation: "result of \(jobID)", kind: .invalidInput, message: "not done")
        }
        return ResultLocation(url: url)
    }
}
