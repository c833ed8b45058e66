import AsyncHTTPClient
import Foundation
import JWTKit
import NIOCore
import VidflowCore

/// OAuth 2.0 access tokens for a Google service account (RFC 7523 JWT-bearer grant): a JWT signed RS256
/// with the account's private key (jwt-kit) is exchanged at the key file's `token_uri` for an access
/// token, which is kept until shortly before it expires. Concurrent callers share one exchange.
///
/// Tokens and the private key are registered with `SecretScrubber`, so no log line or error carries them.
///
/// ```swift
/// let source = GoogleServiceAccountToken(key: try GoogleServiceAccountKey.load(path: path, provider: "vertex"),
///                                        provider: "vertex")
/// let token = try await source.token()   // "ya29.…", one exchange per hour
/// ```
public actor GoogleServiceAccountToken {
    /// The scope Vertex AI and Cloud Storage calls need.
    public static let cloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform"
    /// Lifetime asked for in the assertion (Google's maximum is one hour).
    static let assertionLifetime: TimeInterval = 3600

    /// The claims Google's token endpoint reads: the account, the scope, the endpoint itself, issue and expiry.
    struct AssertionClaims: JWTPayload {
        var iss: IssuerClaim
        var scope: String
        var aud: AudienceClaim
        var iat: IssuedAtClaim
        var exp: ExpirationClaim

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
        }
    }

    let key: GoogleServiceAccountKey
    let scope: String
    let provider: String
    let timeout: TimeAmount
    /// The clock (tests move it to expire a token).
    let now: @Sendable () -> Date
    private let signers = JWTKeyCollection()
    private var signerAdded = false
    private var cached: (token: String, refreshAt: Date)?
    private var exchange: Task<(token: String, refreshAt: Date), any Error>?

    init(key: GoogleServiceAccountKey, provider: String, scope: String = cloudPlatformScope, timeoutSeconds: Int = 30,
         now: @escaping @Sendable () -> Date = Date.init) {
        self.key = key
        self.provider = provider
        self.scope = scope
        self.timeout = .seconds(Int64(timeoutSeconds))
        self.now = now
    }

    /// The account's email (for messages; not a secret).
    public nonisolated var account: String { key.clientEmail }

    /// A valid access token: the cached one, or one fresh exchange shared by every caller waiting for it.
    public func token() async throws(ProviderError) -> String {
        if let cached, now() < cached.refreshAt { return cached.token }
        let task: Task<(token: String, refreshAt: Date), any Error>
        if let exchange {
            task = exchange
        } else {
            task = Task { try await self.exchangeAssertion() }
            exchange = task
        }
        let result = await task.result
        if exchange == task { exchange = nil }
        switch result {
        case .success(let fresh):
            cached = fresh
            return fresh.token
        case .failure(let error as ProviderError):
            throw error
        case .failure(let error):
            throw ProviderError(provider: provider, operation: "get an access token", kind: .auth,
                                message: "cannot get an access token for \(key.clientEmail): \(error)", jobCertainlyNotCreated: true)
        }
    }

    /// Forgets `token` when the API refused it (revoked, or the clock was off), so the next call exchanges anew.
    public func invalidate(_ token: String) {
        if cached?.token == token { cached = nil }
    }

    // MARK: Exchange

    /// The signed assertion: `iss` = the account, `scope`, `aud` = `token_uri`, `iat` = now, `exp` = now + 1 h.
    func assertion() async throws -> String {
        if !signerAdded {
            await signers.add(rsa: key.privateKey, digestAlgorithm: .sha256, serializer: JWTIntegerSeconds.serializer)
            signerAdded = true
        }
        let issued = Date(timeIntervalSince1970: now().timeIntervalSince1970.rounded(.down))
        let claims = AssertionClaims(iss: IssuerClaim(value: key.clientEmail), scope: scope,
                                     aud: AudienceClaim(value: [key.tokenURI]), iat: IssuedAtClaim(value: issued),
                                     exp: ExpirationClaim(value: issued.addingTimeInterval(Self.assertionLifetime)))
        var header = JWTHeader()
        header.kid = key.privateKeyID
        return try await signers.sign(claims, header: header)
    }

    /// POSTs the assertion to `token_uri` and reads `access_token` / `expires_in`.
    private func exchangeAssertion() async throws -> (token: String, refreshAt: Date) {
        let operation = "get an access token"
        func failure(_ kind: ErrorKind, _ message: String, status: Int? = nil) -> ProviderError {
            ProviderError(provider: provider, operation: operation, kind: kind, message: message, httpStatus: status,
                          jobCertainlyNotCreated: true)
        }
        let signed: String
        do {
            signed = try await assertion()
        } catch {
            throw failure(.auth, "cannot sign the token request of \(key.clientEmail) with its private key")
        }
        var request = HTTPClientRequest(url: key.tokenURI)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        let form = "grant_type=" + Self.formEncoded("urn:ietf:params:oauth:grant-type:jwt-bearer")
            + "&assertion=" + Self.formEncoded(signed)
        request.body = .bytes(ByteBuffer(string: form))
        let status: Int
        let body: JSONValue?
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: timeout)
            status = Int(response.status.code)
            let bytes = try await response.body.collect(upTo: 1 << 20)
            body = try? JSONValue.parse(String(buffer: bytes))
        } catch {
            throw failure(.transient, "the token endpoint \(key.tokenURI) did not answer: \(error)")
        }
        guard (200..<300).contains(status) else {
            // OAuth errors are `{error, error_description}`: `invalid_grant` (a bad signature, a deleted key,
            // a clock off by minutes), `unauthorized_client`, …
            let code = body?["error"]?.stringValue ?? "HTTP \(status)"
            let detail = body?["error_description"]?.stringValue.map { ": \($0)" } ?? ""
            let kind: ErrorKind = status == 429 ? .rateLimited : (status >= 500 ? .transient : .auth)
            throw failure(kind, "the token endpoint refused \(key.clientEmail): \(code)\(detail)", status: status)
        }
        guard let token = body?["access_token"]?.stringValue, !token.isEmpty else {
            throw failure(.transient, "the token endpoint answered without an access_token")
        }
        SecretScrubber.register([token])
        let lifetime = TimeInterval(body?["expires_in"]?.intValue ?? 3600)
        // Renewed five minutes early (half the lifetime when it is shorter), so no request carries a token
        // that expires on the way.
        return (token, now().addingTimeInterval(lifetime - min(300, lifetime / 2)))
    }

    /// `application/x-www-form-urlencoded` value encoding (RFC 3986 unreserved characters kept).
    static func formEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn:
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? text
    }
}
