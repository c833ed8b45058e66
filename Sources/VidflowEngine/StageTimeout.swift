import Synchronization
import VidflowCore

/// How long a timed-out stage may take to stop after it was cancelled, before its attempt fails anyway.
let stageTimeoutGraceMilliseconds = 2_000

/// Runs `operation`, failing with a `timeout` StageFailure when it takes longer than `milliseconds`.
///
/// The timeout covers everything the operation does, blocking work included: at the deadline the
/// operation is cancelled (which `runBlocking` work sees through its `CancellationFlag`) and given
/// `graceMilliseconds` to stop; work that ignores cancellation is then left to finish on its own and
/// the caller gets the timeout anyway, so a stage never outlives its timeout by more than the grace.
func withTimeout<T: Sendable>(milliseconds: Int?, graceMilliseconds: Int = stageTimeoutGraceMilliseconds,
                              _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    guard let milliseconds, milliseconds > 0 else { return try await operation() }
    let work = Task { try await operation() }
    let race = TimeoutRace<T>()
    let timeout = StageFailure(.timeout, "timed out after \(Double(milliseconds) / 1000) s")
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            race.install(continuation)
            let timer = Task {
                try await Task.sleep(for: .milliseconds(milliseconds))
                race.expire()
                work.cancel()
                try await Task.sleep(for: .milliseconds(graceMilliseconds))
                race.finish(.failure(timeout))
            }
            Task {
                let result = await work.result
                timer.cancel()
                race.finish(race.hasExpired ? .failure(timeout) : result)
            }
        }
    } onCancel: {
        work.cancel()
    }
}

/// The continuation of one `withTimeout`, resumed exactly once by whichever side finishes first.
/// `install` runs before either side starts.
private final class TimeoutRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var expired = false
    }

    private let state = Mutex(State())

    func install(_ continuation: CheckedContinuation<T, any Error>) {
        state.withLock { $0.continuation = continuation }
    }

    func expire() { state.withLock { $0.expired = true } }

    var hasExpired: Bool { state.withLock { $0.expired } }

    func finish(_ result: Result<T, any Error>) {
        let continuation = state.withLock { state in
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(with: result)
    }
}
