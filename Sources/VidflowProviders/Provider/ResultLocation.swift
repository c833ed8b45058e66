import Foundation

/// Where a finished video can be downloaded: a URL (http(s) or file), headers the download needs, and its expiry.
public struct ResultLocation: Sendable, Hashable, Codable {
    public var url: String
    /// Headers to send with the download (some providers want the API key); never recorded in outputs.
    public var headers: [String: String]
    /// When the provider stops serving the file, if it says.
    public var expiresAt: Date?
    /// A file the adapter wrote itself under the data directory (e.g. Vertex's inline videos), read without
    /// the user's file confinement. A `file:` URL a remote server answered never sets this: it stays confined.
    public var isAdapterFile: Bool

    public init(url: String, headers: [String: String] = [:], expiresAt: Date? = nil, isAdapterFile: Bool = false) {
        self.url = url
        self.headers = headers
        self.expiresAt = expiresAt
        self.isAdapterFile = isAdapterFile
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        url = try container.decode(String.self, forKey: .url)
        headers = try container.decodeIfPresent([String: String].self, forKey: .headers) ?? [:]
        expiresAt = try container.decodeIfPresent(Date.self, forKey: .expiresAt)
        isAdapterFile = try container.decodeIfPresent(Bool.self, forKey: .isAdapterFile) ?? false
    }
}
