import Foundation

/// For providers whose tasks can be cancelled only while they wait in the queue (DashScope, Seedance/Ark),
/// and for every provider whose result link is re-read from the task's status.
extension VideoProvider {
    /// Reads the task and cancels it only while it is queued: a finished task is left alone (there is
    /// nothing to stop, and a provider's cancel may erase its record), a running one is refused with
    /// `runningRefusal`, and a queued one is cancelled by `cancelQueued`.
    func cancelWhileQueued(_ jobID: String, runningRefusal: String, cancelQueued: () async throws -> Void) async throws {
        switch try await status(of: jobID).state {
        case .succeeded, .failed, .cancelled:
            return
        case .running:
            throw ProviderError(provider: name, operation: "cancel task \(jobID)", kind: .providerFailed, message: runningRefusal)
        case .queued:
            try await cancelQueued()
        }
    }

    /// The video of a succeeded task, from a fresh status (so a pre-signed link is fresh); an error naming
    /// the task's state, and its error if any, otherwise.
    func succeededResult(of jobID: String) async throws -> ResultLocation {
        let current = try await status(of: jobID)
        guard current.state == .succeeded, let result = current.result else {
            throw ProviderError(provider: name, operation: "result of task \(jobID)", kind: .providerFailed,
                                message: "task \(jobID) is \(current.state.rawValue), not succeeded"
                                    + (current.errorMessage.map { ": \($0)" } ?? ""))
        }
        return result
    }
}
