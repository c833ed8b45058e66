import Synchronization

/// Counts of HTTP requests sent to each provider in this process, by outcome (`ok`, or the error
/// kind such as `rate_limited`), for `/metrics`.
public final class ProviderRequestStats: Sendable {
    public static let shared = ProviderRequestStats()
    private let counts = Mutex<[String: [String: Int]]>([:])

    public init() {}

    public func record(provider: String, outcome: String) {
        counts.withLock { $0[provider, default: [:]][outcome, default: 0] += 1 }
    }

    /// provider → outcome → requests.
    public var snapshot: [String: [String: Int]] { counts.withLock { $0 } }
}
