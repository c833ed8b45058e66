import Crypto
import Foundation
import Hummingbird
import VidflowCore
import VidflowProviders

/// `POST /v1/callbacks/{provider}`: job updates pushed by providers (Kling, Seedance, fal, Replicate).
///
/// No bearer token (providers cannot send one): each adapter verifies the delivery itself, by the
/// provider's signature or by the `token` vidflow put in the callback URL. A verified update wakes the
/// `video.poll` stage waiting on that job; polling stays the fallback.
struct CallbackController {
    let state: ServerState
    /// When each provider's keys were last reloaded for a failed delivery (at most once a minute).
    let reloads = KeyReloadThrottle(interval: 60)

    func addRoutes(to router: Router<ServerRequestContext>) {
        router.post("v1/callbacks/:provider", use: receive)
    }

    @Sendable func receive(_ request: Request, context: ServerRequestContext) async throws -> CallbackReceipt {
        let name = try context.parameters.require("provider")
        guard let provider = state.providers.provider(name), provider.features.callbacks else {
            throw APIError.notFound("no provider named '\(name)' takes callbacks", field: "provider")
        }
        let body = try await request.body.collect(upTo: state.arguments.maxJSONBytes)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        let delivery = ProviderCallbackDelivery(headers: headers, query: query, body: Data(body.readableBytesView))
        let update: ProviderCallbackUpdate?
        do {
            update = try await Self.verified(delivery, by: provider, reloadAllowed: { reloads.claim(name) })
        } catch let error as ProviderError {
            if error.kind == .auth { throw APIError(.unauthorized, code: "invalid_signature", error.message) }
            throw APIError.badRequest(error.message, field: "body")
        }
        guard let update else { return CallbackReceipt(jobID: nil) }
        state.providers.callbacks.deliver(provider: name, update)
        return CallbackReceipt(jobID: update.jobID, status: update.status.state.rawValue)
    }

    /// Verifies and reads the delivery; when its signature matched no key (fresh keys may help) and
    /// `reloadAllowed()` says so (at most once a minute per provider), the adapter's keys (fal's JWKS,
    /// Replicate's secret) are loaded afresh and it is tried once more. Otherwise the failure is answered
    /// at once: an unsigned or malformed post never costs a fetch.
    static func verified(_ delivery: ProviderCallbackDelivery, by provider: any VideoProvider,
                         reloadAllowed: @Sendable () -> Bool = { true }) async throws -> ProviderCallbackUpdate? {
        do {
            return try provider.callback(delivery)
        } catch let error as ProviderError where error.kind == .auth {
            guard error.freshKeysMayHelp, reloadAllowed(), (try? await provider.prepareCallbackVerification()) != nil else {
                throw error
            }
            return try provider.callback(delivery)
        }
    }
}

/// The `token` vidflow adds to callback URLs for providers that do not sign their callbacks.
public enum ProviderCallbackToken {
    /// 32 hex characters derived from the server's webhook secret (stable across restarts).
    public static func derive(fromWebhookSecret secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("vidflow-provider-callbacks".utf8),
                                                  using: SymmetricKey(data: Data(secret.utf8)))
        return mac.prefix(16).map { String(format: "%02x", $0) }.joined()
    }
}
