import Foundation
import VidflowCore
import VidflowProviders
import XCTest

/// Failed callback verifications never make fal's JWKS be fetched again and again (issue 12, item 6).
final class FalJWKSCacheTests: XCTestCase {
    func testKeysAreFetchedAtMostOnceAMinuteWithAShortTimeoutEvenWhenTheFetchFails() async throws {
        // A JWKS endpoint that hangs: each fetch can only end by the client's own timeout.
        let jwks = try await FakeHTTPServer.start { _ in FakeResponse.json(["keys": []]).delayed(.seconds(20)) }
        let fal = FalProvider(settings: ProviderSettings(apiKeys: ["fal-key"], baseURL: jwks.baseURL,
                                                         options: ["jwks_url": jwks.baseURL + "/jwks"], requestTimeout: 60))
        let started = Date()
        do {
            try await fal.prepareCallbackVerification()
            XCTFail("a hanging JWKS cannot load keys")
        } catch {}
        let first = Date().timeIntervalSince(started)
        XCTAssertLessThan(first, 10, "the JWKS fetch has its own short timeout (5 s), not the 60 s request timeout")
        let again = Date()
        for _ in 0..<50 { try? await fal.prepareCallbackVerification() }
        XCTAssertLessThan(Date().timeIntervalSince(again), 1, "50 more reloads within the minute cost nothing")
        XCTAssertEqual(jwks.requests.count, 1, "one fetch, however many failed verifications")
        await jwks.stop()
    }

    func testAMalformedCallbackSaysFreshKeysCannotHelpAndAMismatchSaysTheyMay() async throws {
        let fake = try await FakeFalServer.start(clip: Data())
        let fal = FalProvider(settings: ProviderSettings(apiKeys: ["fal-key-good"], baseURL: fake.baseURL,
                                                         options: ["jwks_url": fake.jwksURL], requestTimeout: 10))
        let empty = ProviderCallbackDelivery(headers: [:], query: [:], body: Data("{}".utf8))
        XCTAssertThrowsError(try fal.callback(empty)) { error in
            XCTAssertEqual((error as? ProviderError)?.freshKeysMayHelp, false, "no signature headers: no fetch can help")
        }
        let signed = ProviderCallbackDelivery(headers: [
            "x-fal-webhook-request-id": "r", "x-fal-webhook-user-id": "u",
            "x-fal-webhook-timestamp": String(Int(Date().timeIntervalSince1970)), "x-fal-webhook-signature": "abcd",
        ], query: [:], body: Data("{}".utf8))
        XCTAssertThrowsError(try fal.callback(signed)) { error in
            XCTAssertEqual((error as? ProviderError)?.freshKeysMayHelp, true, "keys not loaded: a fetch may help")
        }
        await fake.stop()
    }
}
