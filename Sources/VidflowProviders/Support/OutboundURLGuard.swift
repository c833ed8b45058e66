import AsyncHTTPClient
import Foundation
import VidflowCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Applies an `OutboundURLPolicy` to a URL about to be fetched: checks the scheme and literal host,
/// resolves the name (getaddrinfo) and refuses it unless EVERY address it resolves to is allowed.
///
/// For plain http the connection is pinned to the address that was checked (the request goes to the
/// address, with the original `Host` header), so a name cannot resolve to a public address for the check
/// and to a private one for the connection (DNS rebinding). https connects by name: TLS certificate
/// checking stops a rebound name from reaching an internal service.
///
/// ```swift
/// let target = try await OutboundURLGuard.check("http://example.com/a.png", policy: .publicOnly)
/// var request = HTTPClientRequest(url: target.connectURL)
/// target.hostHeader.map { request.headers.replaceOrAdd(name: "host", value: $0) }
/// ```
public enum OutboundURLGuard {
    /// A checked destination: where to connect, and the `Host` header to send when pinned.
    public struct Target: Sendable, Hashable {
        /// The URL as given.
        public var url: String
        /// The URL to hand to the HTTP client (the checked address in place of the name, when pinned).
        public var connectURL: String
        /// The original `host[:port]`, when `connectURL` names an address instead.
        public var hostHeader: String?
        /// What the name resolved to (empty when the policy allows every address and nothing was resolved).
        public var addresses: [IPAddress]
    }

    /// The HTTP client for user-given URLs: it never follows redirects itself (each hop is checked here).
    public static let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                                          configuration: .init(redirectConfiguration: .disallow))

    /// Checks `text` against `policy`; throws the refusal the user sees.
    public static func check(_ text: String, policy: OutboundURLPolicy) async throws(OutboundURLRefusal) -> Target {
        let url = try policy.checkLiteral(text)
        if policy.allowsAllAddresses { return Target(url: text, connectURL: text, hostHeader: nil, addresses: []) }
        let host = url.host.map(Self.unbracketed) ?? ""
        let addresses: [IPAddress]
        if let literal = IPAddress(literal: host) {
            addresses = [literal]
        } else {
            do {
                addresses = try await runBlocking { _ in try resolve(host) }
            } catch let refusal as OutboundURLRefusal {
                throw OutboundURLRefusal(url: text, reason: refusal.reason, isPermanent: refusal.isPermanent)
            } catch {
                throw OutboundURLRefusal(url: text, reason: "cannot resolve '\(host)': \(error)", isPermanent: false)
            }
        }
        guard let first = addresses.first else { throw OutboundURLRefusal(url: text, reason: "'\(host)' has no address") }
        let name = IPAddress(literal: host) == nil ? host : nil
        for address in addresses {
            if let reason = policy.refusal(of: address, name: name) { throw OutboundURLRefusal(url: text, reason: reason) }
        }
        // The URL handed to the HTTP client is rebuilt from the parts checked here, so its parser cannot
        // read another host out of the text (`http://a@b`, `#@`, odd escapes).
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw OutboundURLRefusal(url: text, reason: "the URL cannot be read")
        }
        let port = components.port
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        let query = components.percentEncodedQuery.map { "?" + $0 } ?? ""
        let named = IPAddress(literal: host).map { $0.isIPv4 ? $0.description : "[\($0.description)]" } ?? host
        guard scheme == "http" else {
            return Target(url: text, connectURL: "\(scheme)://\(named)\(port.map { ":\($0)" } ?? "")\(path)\(query)",
                          hostHeader: nil, addresses: addresses)
        }
        let pinned = first.isIPv4 ? first.description : "[\(first.description)]"
        return Target(url: text, connectURL: "http://\(pinned):\(port ?? 80)\(path)\(query)",
                      hostHeader: named + (port.map { ":\($0)" } ?? ""), addresses: addresses)
    }

    /// Every address `host` resolves to (IPv4 and IPv6), by the system resolver.
    public static func resolve(_ host: String) throws(OutboundURLRefusal) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if os(Linux)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let code = getaddrinfo(host, nil, &hints, &list)
        guard code == 0 else {
            throw OutboundURLRefusal(url: host, reason: "cannot resolve '\(host)': \(String(cString: gai_strerror(code)))",
                                     isPermanent: false)
        }
        defer { freeaddrinfo(list) }
        var addresses: [IPAddress] = []
        var cursor = list
        while let entry = cursor?.pointee {
            if let socketAddress = entry.ai_addr {
                switch entry.ai_family {
                case AF_INET:
                    let raw = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                    if let address = withUnsafeBytes(of: raw, { IPAddress(bytes: Array($0)) }) { addresses.append(address) }
                case AF_INET6:
                    let raw = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    if let address = withUnsafeBytes(of: raw, { IPAddress(bytes: Array($0)) }) { addresses.append(address) }
                default:
                    break
                }
            }
            cursor = entry.ai_next
        }
        var seen = Set<IPAddress>()
        return addresses.filter { seen.insert($0).inserted }
    }

    static func unbracketed(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }
}
