import Synchronization
import VidflowCore

/// One stage attempt's hold on a global execution slot, which the stage gives back while it only waits
/// (`ExecutionSlot.released(during:)`); its pool slot stays held throughout.
///
/// Several tasks of one stage may wait at once (a fanned-out `video.poll` polls each job in its own
/// task): the slot goes back when the first starts waiting and is taken again when the last stops. A
/// task cancelled while waiting takes nothing back. `end()` closes the lease when the attempt is over;
/// the runner then releases the global slot only if the lease still holds it.
final class StageSlotLease: ExecutionSlotHolder {
    private struct State {
        var waiting = 0
        var holdsGlobal = true
        var ended = false
    }

    private let limiter: ConcurrencyLimiter
    private let state = Mutex(State())

    init(limiter: ConcurrencyLimiter) {
        self.limiter = limiter
    }

    func released<T>(during body: () async throws -> T) async throws -> T {
        let release = state.withLock { state in
            state.waiting += 1
            guard state.waiting == 1, state.holdsGlobal, !state.ended else { return false }
            state.holdsGlobal = false
            return true
        }
        if release { limiter.releaseGlobal() }
        let outcome: Result<T, any Error>
        do {
            outcome = .success(try await body())
        } catch {
            outcome = .failure(error)
        }
        let reacquire = state.withLock { state in
            state.waiting -= 1
            return state.waiting == 0 && !state.holdsGlobal && !state.ended
        }
        if reacquire && !Task.isCancelled {
            try await limiter.acquireGlobal()
            let keep = state.withLock { state in
                // Someone started waiting, or the attempt ended, while this task queued for the slot.
                guard state.waiting == 0, !state.ended else { return false }
                state.holdsGlobal = true
                return true
            }
            if !keep { limiter.releaseGlobal() }
        }
        return try outcome.get()
    }

    /// Ends the lease; true when the attempt still holds its global slot (for the caller to release).
    func end() -> Bool {
        state.withLock { state in
            state.ended = true
            defer { state.holdsGlobal = false }
            return state.holdsGlobal
        }
    }
}
