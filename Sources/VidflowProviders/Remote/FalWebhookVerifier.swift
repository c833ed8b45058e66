import Crypto
import Foundation
import Synchronization
import VidflowCore

/// Verifies fal.ai webhook signatures: ED25519 over `request_id \n user_id \n timestamp \n sha256_hex(body)`
/// with the public keys of fal's JWKS, which are fetched ahead of time (callbacks are handled synchronously)
/// and cached for a day.
///
/// A delivery that fails verification may ask for the keys again (fal may have rotated them), but
/// `refreshIfDue()` fetches at most once per `minRefreshInterval` (a minute) whatever the outcome, with
/// a short timeout and no retries: unsigned junk posted to the callback URL is answered 401 at once and
/// never makes the server fetch the JWKS over and over.
///
/// ```swift
/// try await verifier.refresh()                      // before callbacks can arrive
/// try verifier.verify(delivery)                     // throws unless signed by fal
/// ```
final class FalWebhookVerifier: Sendable {
    let jwksURL: String
    /// How far the signed timestamp may be from now.
    let tolerance: TimeInterval
    let cacheLifetime: TimeInterval
    /// The shortest time between two JWKS fetches started by `refreshIfDue()`, failed or not.
    let minRefreshInterval: TimeInterval
    private let http: ProviderHTTPClient
    /// Raw 32-byte Ed25519 public keys (swift-crypto's key type is not Sendable), when they were fetched,
    /// and when a fetch was last started.
    private let cache = Mutex<(keys: [Data], fetchedAt: Date?, attemptedAt: Date?)>(([], nil, nil))

    /// `timeout`: seconds one JWKS fetch may take (capped at 5: a callback may be waiting on it).
    init(jwksURL: String, timeout: Int, tolerance: TimeInterval = 300, cacheLifetime: TimeInterval = 86_400,
         minRefreshInterval: TimeInterval = 60) {
        self.jwksURL = jwksURL
        self.tolerance = tolerance
        self.cacheLifetime = cacheLifetime
        self.minRefreshInterval = minRefreshInterval
        // The JWKS is public: no key is sent to it (the pool holds a placeholder, `authorize` adds nothing).
        var http = ProviderHTTPClient(provider: "fal", baseURL: jwksURL, keys: APIKeyPool(["public"])) { _ in [] }
        http.timeout = .seconds(max(1, min(timeout, 5)))
        http.maxRetries = 0
        self.http = http
    }

    /// Whether cached keys exist and are younger than `cacheLifetime`.
    var isFresh: Bool {
        cache.withLock { state in
            guard let fetchedAt = state.fetchedAt, !state.keys.isEmpty else { return false }
            return Date().timeIntervalSince(fetchedAt) < cacheLifetime
        }
    }

    /// Fetches the JWKS and replaces the cached keys.
    func refresh() async throws(ProviderError) {
        cache.withLock { $0.attemptedAt = Date() }
        let body = try await http.json(ProviderHTTPRequest("GET", jwksURL, operation: "fetch webhook keys (JWKS)"))
        var keys: [Data] = []
        for entry in body["keys"]?.arrayValue ?? [] {
            guard entry["crv"]?.stringValue ?? "Ed25519" == "Ed25519", let x = entry["x"]?.stringValue,
                  let raw = Self.base64URLDecode(x), (try? Curve25519.Signing.PublicKey(rawRepresentation: raw)) != nil else {
                continue
            }
            keys.append(raw)
        }
        guard !keys.isEmpty else {
            throw ProviderError(provider: "fal", operation: "fetch webhook keys (JWKS)", kind: .providerFailed,
                                message: "the JWKS at \(jwksURL) holds no Ed25519 key")
        }
        cache.withLock { state in
            state.keys = keys
            state.fetchedAt = Date()
        }
    }

    /// Refetches the keys unless a fetch was started less than `minRefreshInterval` ago (failed or not);
    /// returns whether it fetched.
    @discardableResult
    func refreshIfDue(now: Date = Date()) async throws(ProviderError) -> Bool {
        let due = cache.withLock { state in
            if let attempted = state.attemptedAt, now.timeIntervalSince(attempted) < minRefreshInterval { return false }
            state.attemptedAt = now
            return true
        }
        guard due else { return false }
        try await refresh()
        return true
    }

    /// Refreshes the keys unless the cache is fresh.
    func refreshIfStale() async throws(ProviderError) {
        if !isFresh { try await refreshIfDue() }
    }

    /// Checks the delivery's signature headers against the cached keys; throws `auth` when they do not match.
    func verify(_ delivery: ProviderCallbackDelivery) throws(ProviderError) {
        func reject(_ message: String) -> ProviderError {
            ProviderError(provider: "fal", operation: "verify callback", kind: .auth, message: message)
        }
        let headers = delivery.headers
        guard let requestID = headers["x-fal-webhook-request-id"], let userID = headers["x-fal-webhook-user-id"],
              let timestamp = headers["x-fal-webhook-timestamp"], let signatureHex = headers["x-fal-webhook-signature"] else {
            throw reject("missing X-Fal-Webhook-* signature headers")
        }
        guard let seconds = Double(timestamp), abs(delivery.receivedAt.timeIntervalSince1970 - seconds) <= tolerance else {
            throw reject("webhook timestamp \(timestamp) is more than \(Int(tolerance)) s from now")
        }
        guard let signature = Self.hexDecode(signatureHex) else { throw reject("webhook signature is not hex") }
        let keys = cache.withLock { $0.keys }.compactMap { try? Curve25519.Signing.PublicKey(rawRepresentation: $0) }
        guard !keys.isEmpty else {
            var error = reject("fal webhook keys are not loaded yet (call prepareCallbackVerification())")
            error.freshKeysMayHelp = true
            throw error
        }
        let digest = SHA256.hash(data: delivery.body).map { String(format: "%02x", $0) }.joined()
        let message = Data("\(requestID)\n\(userID)\n\(timestamp)\n\(digest)".utf8)
        guard keys.contains(where: { $0.isValidSignature(signature, for: message) }) else {
            var error = reject("webhook signature does not match any fal key")
            error.freshKeysMayHelp = true
            throw error
        }
    }

    static func base64URLDecode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }

    static func hexDecode(_ text: String) -> Data? {
        let characters = Array(text.trimmingCharacters(in: .whitespaces).utf8)
        guard characters.count % 2 == 0, !characters.isEmpty else { return nil }
        var data = Data(capacity: characters.count / 2)
        var index = 0
        while index < characters.count {
            guard let byte = UInt8(String(decoding: characters[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
            data.append(byte)
            index += 2
        }
        return data
    }
}
