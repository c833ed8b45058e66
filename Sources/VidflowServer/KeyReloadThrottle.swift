import Foundation
import Synchronization

/// Lets something happen at most once per `interval` per name: here, reloading a provider's callback
/// verification keys after a delivery failed verification, so a flood of forged callbacks cannot make
/// the server fetch keys again and again (each failed claim costs nothing).
///
/// ```swift
/// let reloads = KeyReloadThrottle(interval: 60)
/// reloads.claim("fal")   // true
/// reloads.claim("fal")   // false for the next minute
/// ```
final class KeyReloadThrottle: Sendable {
    let interval: TimeInterval
    private let lastClaims = Mutex<[String: Date]>([:])

    init(interval: TimeInterval) {
        self.interval = interval
    }

    /// True, and remembers now, when `name` was not claimed within `interval`.
    func claim(_ name: String, now: Date = Date()) -> Bool {
        lastClaims.withLock { claims in
            if let last = claims[name], now.timeIntervalSince(last) < interval { return false }
            claims[name] = now
            return true
        }
    }
}
