import Foundation

/// A terminal run whose callback URL still waits for a successful delivery.
public struct PendingCallback: Sendable, Hashable {
    public var runID: String
    public var url: String
    /// Deliveries tried so far.
    public var attempts: Int

    public init(runID: String, url: String, attempts: Int) {
        self.runID = runID
        self.url = url
        self.attempts = attempts
    }
}
