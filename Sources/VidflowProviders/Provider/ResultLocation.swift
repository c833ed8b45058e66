import Foundation

/// Where a finished video can be downloaded: a URL (http(s) or file), headers the download needs, and its expiry.
public struct ResultLocation: Sendable, Hashable, Codable {
    public var url: String
    /// Headers to send with the download (some providers want the API key); never recorded in outputs.
    public var headers: [String: String]
    /// When the provider stops serving the file, if it says.
    public var expiresAt: Date?

    public init(url: String, headers: [String: String] = [:], expiresAt: Date? = nil) {
        self.url = url
        self.headers = headers
        self.expiresAt = expiresAt
    }
}
