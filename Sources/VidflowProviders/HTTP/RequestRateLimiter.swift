import Foundation
import Synchronization
import VidflowCore

/// A requests-per-minute limiter shared by every run in the process: a token bucket refilled evenly
/// (a burst of up to `perMinute / 6`, at least 1), so 60 RPM means about one request a second.
public final class RequestRateLimiter: Sendable {
    public let perMinute: Int
    private let capacity: Double
    private let state: Mutex<(tokens: Double, updated: ContinuousClock.Instant)>

    public init(perMinute: Int) {
        self.perMinute = max(1, perMinute)
        self.capacity = max(1, Double(self.perMinute) / 6)
        self.state = Mutex((capacity, ContinuousClock.now))
    }

    /// Waits until a request may be sent, then takes its token; returns how long it waited (zero: no wait).
    @discardableResult
    public func acquire() async throws -> Duration {
        let start = ContinuousClock.now
        var slept = false
        while true {
            let wait: Duration? = state.withLock { state in
                let now = ContinuousClock.now
                let elapsed = state.updated.duration(to: now)
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                state.tokens = min(capacity, state.tokens + seconds * Double(perMinute) / 60)
                state.updated = now
                if state.tokens >= 1 {
                    state.tokens -= 1
                    return nil
                }
                return .milliseconds(Int((1 - state.tokens) * 60_000 / Double(perMinute)) + 1)
            }
            guard let wait else { return slept ? start.duration(to: .now) : .zero }
            // A stage waiting for its turn holds no execution slot.
            try await ExecutionSlot.released { try await Task.sleep(for: wait) }
            slept = true
        }
    }
}
