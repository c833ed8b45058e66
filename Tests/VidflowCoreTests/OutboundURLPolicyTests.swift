import VidflowCore
import XCTest

/// The address classifier and the literal checks of the outbound URL policy (issue 12, item 7).
final class OutboundURLPolicyTests: XCTestCase {
    func testEveryNonPublicAddressFormIsClassifiedAndEveryPublicOneIsNot() throws {
        let table: [(String, AddressScope)] = [
            ("127.0.0.1", .loopback), ("127.1", .loopback), ("2130706433", .loopback), ("0x7f000001", .loopback),
            ("0177.0.0.1", .loopback), ("127.255.255.254", .loopback), ("::1", .loopback), ("[::1]", .loopback),
            ("::ffff:127.0.0.1", .loopback), ("::ffff:7f00:1", .loopback), ("::127.0.0.1", .loopback),
            ("64:ff9b::127.0.0.1", .loopback), ("2002:7f00:1::", .loopback),
            ("10.0.0.1", .private), ("10.255.255.255", .private), ("172.16.0.1", .private), ("172.31.255.255", .private),
            ("192.168.1.1", .private), ("100.64.0.1", .private), ("100.127.255.255", .private),
            ("fc00::1", .private), ("fd12:3456::1", .private), ("::ffff:10.1.2.3", .private), ("::ffff:192.168.0.1", .private),
            ("169.254.169.254", .linkLocal), ("fe80::1", .linkLocal), ("fe80::1%25eth0", .linkLocal), ("::ffff:169.254.0.1", .linkLocal),
            ("224.0.0.1", .multicast), ("239.255.255.250", .multicast), ("ff02::1", .multicast),
            ("0.0.0.0", .unspecified), ("0", .unspecified), ("::", .unspecified), ("::ffff:0.0.0.0", .unspecified),
            ("255.255.255.255", .broadcast),
            ("0.1.2.3", .reserved), ("240.0.0.1", .reserved), ("192.0.2.1", .reserved), ("198.18.0.1", .reserved),
            ("2001:db8::1", .reserved), ("100::1", .reserved),
            ("8.8.8.8", .public), ("1.1.1.1", .public), ("172.15.255.255", .public), ("172.32.0.1", .public),
            ("100.63.255.255", .public), ("100.128.0.1", .public), ("192.169.0.1", .public), ("11.0.0.1", .public),
            ("2606:4700:4700::1111", .public), ("::ffff:8.8.8.8", .public), ("2a00:1450::1", .public),
        ]
        for (literal, expected) in table {
            let address = try XCTUnwrap(IPAddress(literal: literal.replacingOccurrences(of: "%25", with: "%")), literal)
            XCTAssertEqual(address.scope, expected, literal)
            XCTAssertEqual(OutboundURLPolicy.publicOnly.permits(address), expected == .public, literal)
            XCTAssertTrue(OutboundURLPolicy.unrestricted.permits(address), literal)
        }
    }

    func testAddressesAreShownInTheirCanonicalForm() {
        for (literal, shown) in [("0x7f000001", "127.0.0.1"), ("127.1", "127.0.0.1"), ("[::1]", "::1"),
                                 ("::ffff:7f00:1", "::ffff:127.0.0.1"), ("FE80:0:0::1", "fe80::1")] {
            XCTAssertEqual(IPAddress(literal: literal)?.description, shown, literal)
        }
    }

    func testNamesAreNotMistakenForAddresses() {
        for name in ["example.com", "localhost", "cafe.be", "deadbeef", "1.2.3.4.example.com", "", "0x", "1.2.3.4.5"] {
            XCTAssertNil(IPAddress(literal: name), name)
        }
    }

    func testRangesMatchTheirAddressesOnlyAndAllowThemThroughThePolicy() throws {
        let cases: [(range: String, inside: [String], outside: [String])] = [
            ("10.0.0.0/8", ["10.0.0.1", "10.255.0.1", "::ffff:10.1.1.1"], ["11.0.0.1", "127.0.0.1"]),
            ("127.0.0.2/32", ["127.0.0.2"], ["127.0.0.1", "127.0.0.3"]),
            ("127.0.0.2", ["127.0.0.2"], ["127.0.0.1"]),
            ("fd00::/8", ["fd00::1", "fdff::1"], ["fc00::1", "::1"]),
            ("172.16.0.0/12", ["172.16.0.1", "172.31.9.9"], ["172.32.0.1"]),
        ]
        for (text, inside, outside) in cases {
            let range = try XCTUnwrap(IPRange(text), text)
            let policy = OutboundURLPolicy(allowedRanges: [range])
            for literal in inside {
                let address = try XCTUnwrap(IPAddress(literal: literal))
                XCTAssertTrue(range.contains(address), "\(literal) in \(text)")
                XCTAssertTrue(policy.permits(address), "\(literal) allowed by \(text)")
            }
            for literal in outside {
                let address = try XCTUnwrap(IPAddress(literal: literal))
                XCTAssertFalse(range.contains(address), "\(literal) not in \(text)")
                XCTAssertEqual(policy.permits(address), address.scope == .public, "only public ones outside \(text)")
            }
        }
        for bad in ["10.0.0.0/33", "fd00::/129", "example.com/8", "10.0.0.0/-1", "10.0.0.0/8/8", "/8"] {
            XCTAssertNil(IPRange(bad), bad)
        }
    }

    func testLiteralCheckRefusesLoopbackSpellingsLocalhostAndOtherSchemesWithAReason() {
        let refused: [(String, String)] = [
            ("http://127.0.0.1:8080/secret.png", "loopback"), ("http://[::1]:8080/", "loopback"),
            ("http://2130706433/", "loopback"), ("http://0x7f000001/", "loopback"), ("http://127.1/", "loopback"),
            ("http://localhost:9/x", "names this machine"), ("http://LOCALHOST./x", "names this machine"),
            ("http://api.localhost/x", "names this machine"),
            ("http://169.254.169.254/latest/meta-data/", "link-local"), ("http://10.0.0.5/", "private"),
            ("http://[::ffff:127.0.0.1]/", "loopback"), ("http://0.0.0.0:80/", "unspecified"),
            ("file:///etc/passwd", "only http and https"), ("gopher://example.com/", "only http and https"),
            ("ftp://example.com/a", "only http and https"), ("http:///nohost", "no host"),
        ]
        for (url, reason) in refused {
            XCTAssertThrowsError(try OutboundURLPolicy.publicOnly.checkLiteral(url), url) { error in
                let text = (error as? OutboundURLRefusal)?.description ?? ""
                XCTAssertTrue(text.contains(reason), "\(url): \(text)")
            }
        }
        for url in ["https://example.com/a.png", "http://8.8.8.8/x", "https://[2606:4700:4700::1111]/"] {
            XCTAssertNoThrow(try OutboundURLPolicy.publicOnly.checkLiteral(url), url)
        }
        XCTAssertNoThrow(try OutboundURLPolicy.unrestricted.checkLiteral("http://127.0.0.1:8080/"))
        let refusal = OutboundURLRefusal(url: "http://10.0.0.1/a?token=secret", reason: "x")
        XCTAssertFalse(refusal.description.contains("secret"), "the query (credentials) is never shown")
    }
}
