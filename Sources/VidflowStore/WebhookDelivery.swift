import Foundation

/// One attempt at delivering a run's terminal-state webhook, as recorded.
public struct WebhookDelivery: Sendable, Hashable, Codable {
    /// The Standard Webhooks message id (the same for every attempt of one message).
    public var id: String
    public var runID: String
    public var attempt: Int
    public var url: String
    /// The receiver's HTTP status, nil when no response came.
    public var statusCode: Int?
    public var error: String?
    public var at: Date
    public var durationMs: Double

    public init(id: String, runID: String, attempt: Int, url: String, statusCode: Int?, error: String?,
                at: Date, durationMs: Double) {
        self.id = id
        self.runID = runID
        self.attempt = attempt
        self.url = url
        self.statusCode = statusCode
        self.error = error
        self.at = at
        self.durationMs = durationMs
    }

    /// Whether the receiver accepted it (any 2xx).
    public var succeeded: Bool { (200..<300).contains(statusCode ?? 0) }
}
