import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as raw bytes, and what kind of network it belongs to.
///
/// Literals are read the way the C resolver reads them, so every spelling of an address that would
/// reach it is recognised: `127.0.0.1`, `127.1`, `2130706433`, `0x7f000001`, `::1`, `::ffff:127.0.0.1`.
///
/// ```swift
/// IPAddress(literal: "0x7f000001")?.scope   // .loopback
/// IPAddress(literal: "8.8.8.8")?.scope      // .public
/// ```
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6, network order.
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// For constants whose byte count is known to be 4 or 16.
    init(uncheckedBytes: [UInt8]) {
        bytes = uncheckedBytes
    }

    /// Parses a literal (IPv6 may be in brackets and carry a `%zone`); nil for a name.
    public init?(literal text: String) {
        var literal = text
        if literal.hasPrefix("["), literal.hasSuffix("]") { literal = String(literal.dropFirst().dropLast()) }
        if literal.contains(":") {
            if let percent = literal.firstIndex(of: "%") { literal = String(literal[..<percent]) }
            var address = in6_addr()
            guard inet_pton(AF_INET6, literal, &address) == 1 else { return nil }
            self.bytes = withUnsafeBytes(of: &address) { Array($0) }
            return
        }
        // inet_aton accepts the shorthand forms (127.1, 2130706433, 0x7f000001, 0177.0.0.1) getaddrinfo does.
        guard !literal.isEmpty, literal.allSatisfy({ $0.isHexDigit || $0 == "." || $0 == "x" || $0 == "X" }) else { return nil }
        var address = in_addr()
        guard inet_aton(literal, &address) != 0 else { return nil }
        self.bytes = withUnsafeBytes(of: &address) { Array($0) }
    }

    public var isIPv4: Bool { bytes.count == 4 }

    /// The IPv4 address an IPv6 address carries (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`,
    /// NAT64 `64:ff9b::a.b.c.d`, 6to4 `2002:AABB:CCDD::`), else nil.
    public var embeddedIPv4: IPAddress? {
        guard bytes.count == 16 else { return nil }
        let head = bytes[0..<12]
        if head.elementsEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]) || head.allSatisfy({ $0 == 0 })
            || head.elementsEqual([0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0]) {
            return IPAddress(bytes: Array(bytes[12..<16]))
        }
        if bytes[0] == 0x20, bytes[1] == 0x02 { return IPAddress(bytes: Array(bytes[2..<6])) }
        return nil
    }

    /// The kind of network the address is in; only `.public` is reachable by user-given URLs by default.
    public var scope: AddressScope {
        if let inner = embeddedIPv4 {
            let scope = inner.scope
            // `::` and `::1` are themselves the unspecified and loopback addresses, not IPv4 in disguise.
            if bytes.allSatisfy({ $0 == 0 }) { return .unspecified }
            if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return .loopback }
            return scope
        }
        return isIPv4 ? Self.scopeOfIPv4(bytes) : Self.scopeOfIPv6(bytes)
    }

    private static func scopeOfIPv4(_ b: [UInt8]) -> AddressScope {
        switch (b[0], b[1]) {
        case (0, _): return b.allSatisfy { $0 == 0 } ? .unspecified : .reserved    // 0/8 "this network"
        case (10, _): return .private
        case (100, 64...127): return .private                                      // CGNAT 100.64/10
        case (127, _): return .loopback
        case (169, 254): return .linkLocal
        case (172, 16...31): return .private
        case (192, 168): return .private
        case (192, 0) where b[2] == 0 || b[2] == 2: return .reserved                // IETF 192.0.0/24, TEST-NET-1
        case (192, 88) where b[2] == 99: return .reserved                           // 6to4 relay anycast
        case (198, 18...19): return .reserved                                       // benchmarking
        case (198, 51) where b[2] == 100: return .reserved                          // TEST-NET-2
        case (203, 0) where b[2] == 113: return .reserved                           // TEST-NET-3
        case (224...239, _): return .multicast
        case (255, 255) where b[2] == 255 && b[3] == 255: return .broadcast
        case (240...255, _): return .reserved                                       // 240/4
        default: return .public
        }
    }

    private static func scopeOfIPv6(_ b: [UInt8]) -> AddressScope {
        if b[0] == 0xFF { return .multicast }                                        // ff00::/8
        if b[0] == 0xFE && (b[1] & 0xC0) == 0x80 { return .linkLocal }               // fe80::/10
        if b[0] == 0xFE && (b[1] & 0xC0) == 0xC0 { return .private }                 // fec0::/10 (old site-local)
        if (b[0] & 0xFE) == 0xFC { return .private }                                 // fc00::/7 unique local
        if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8 { return .reserved }   // 2001:db8::/32 docs
        if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0 { return .reserved }         // Teredo 2001::/32
        if b[0] == 0x01 && b[1] == 0 && b[2..<8].allSatisfy({ $0 == 0 }) { return .reserved }  // discard 100::/64
        if (b[0] & 0xE0) != 0x20 { return .reserved }                                // outside global unicast 2000::/3
        return .public
    }

    /// `127.0.0.1`, `::1`, `::ffff:127.0.0.1` (the canonical text, via inet_ntop).
    public var description: String {
        var buffer = [CChar](repeating: 0, count: 64)
        let family = isIPv4 ? AF_INET : AF_INET6
        let written = bytes.withUnsafeBytes { raw in
            inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count))
        }
        guard written != nil else { return bytes.map(String.init).joined(separator: ".") }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// The kind of network an address belongs to.
public enum AddressScope: String, Sendable, Hashable {
    case `public`, loopback, `private`, linkLocal = "link-local", multicast, unspecified, broadcast, reserved
}
