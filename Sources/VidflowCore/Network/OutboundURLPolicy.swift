import Foundation

/// Which addresses vidflow may fetch from or post to on a user's behalf (image sources, video
/// downloads, webhook callbacks): public addresses only, unless the operator allows private ones,
/// all of them or some ranges. Provider base URLs set by the operator are not subject to it.
///
/// The server denies private addresses by default (`vidflow serve --allow-private-urls`, or
/// `--allow-private-range 10.0.0.0/8`, opens them); the CLI, run by the operator on their own
/// machine, allows them. The check here is on the URL's text (scheme, literal address, `localhost`);
/// `OutboundURLGuard` (VidflowProviders) checks every address a name resolves to, and each redirect.
///
/// ```swift
/// let policy = OutboundURLPolicy.publicOnly
/// try policy.checkLiteral("http://127.1/secret.png")   // throws: a loopback address
/// ```
public struct OutboundURLPolicy: Sendable, Hashable {
    /// Every address is allowed (the CLI's default).
    public var allowsAllAddresses: Bool
    /// Non-public ranges allowed anyway (e.g. `10.0.0.0/8` for a company network).
    public var allowedRanges: [IPRange]
    /// Redirects followed before giving up.
    public var maxRedirects: Int

    public init(allowsAllAddresses: Bool = false, allowedRanges: [IPRange] = [], maxRedirects: Int = 5) {
        self.allowsAllAddresses = allowsAllAddresses
        self.allowedRanges = allowedRanges
        self.maxRedirects = maxRedirects
    }

    /// Public addresses only (the server's default).
    public static let publicOnly = OutboundURLPolicy()
    /// Any address (the CLI's default: the operator fetching on their own machine).
    public static let unrestricted = OutboundURLPolicy(allowsAllAddresses: true)

    /// Whether a URL may reach `address`.
    public func permits(_ address: IPAddress) -> Bool {
        allowsAllAddresses || address.scope == .public || allowedRanges.contains { $0.contains(address) }
    }

    /// The reason `address` is refused (`127.0.0.1 is a loopback address`), or nil when it is allowed;
    /// with `name`, the reason names it (`'vm' resolves to 127.0.0.1, a loopback address`).
    public func refusal(of address: IPAddress, name: String? = nil) -> String? {
        guard !permits(address) else { return nil }
        let scope = address.scope.rawValue
        return name.map { "'\($0)' resolves to \(address), a \(scope) address" } ?? "\(address) is a \(scope) address"
    }

    /// Checks what can be told without DNS: an http(s) scheme, a host, and, when the host is a
    /// literal address or a `localhost` name, that it is allowed. Returns the parsed URL.
    @discardableResult
    public func checkLiteral(_ text: String) throws(OutboundURLRefusal) -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme) else {
            throw OutboundURLRefusal(url: text, reason: "only http and https URLs are fetched")
        }
        guard let host = url.host, !host.isEmpty else { throw OutboundURLRefusal(url: text, reason: "the URL names no host") }
        if allowsAllAddresses { return url }
        if let address = IPAddress(literal: host) {
            if let reason = refusal(of: address) { throw OutboundURLRefusal(url: text, reason: reason) }
        } else if Self.isLocalName(host), !permits(IPAddress(uncheckedBytes: [127, 0, 0, 1])) {
            throw OutboundURLRefusal(url: text, reason: "'\(host)' names this machine (a loopback address)")
        }
        return url
    }

    /// `localhost`, `*.localhost` and `localhost.localdomain` always name this machine.
    public static func isLocalName(_ host: String) -> Bool {
        let name = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        return name == "localhost" || name.hasSuffix(".localhost") || name == "localhost.localdomain"
    }
}

/// A URL vidflow will not fetch from or post to, with the reason (shown to the user as is).
public struct OutboundURLRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// The URL without its query string (it may carry credentials).
    public var url: String
    public var reason: String
    /// False when trying again later may succeed (the name could not be resolved just now).
    public var isPermanent: Bool

    public init(url: String, reason: String, isPermanent: Bool = true) {
        self.url = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        self.reason = reason
        self.isPermanent = isPermanent
    }

    public var description: String {
        "refused to connect to \(url): \(reason) (not allowed by the server's URL policy; see docs/security.md)"
    }
}
