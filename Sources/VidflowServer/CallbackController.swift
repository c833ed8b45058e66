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

    func addRoutes(to router: Router<ServerRequestContext>) {
        router.post("v1/callbacks/:provider", use: receive)
    }

    @Sendable func receive(_ request: Request, context: ServerRequestContext) async throws -> Response {
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
            update = try await Self.verified(delivery, by: provider)
        } catch let error as ProviderError {
            if error.kind == .auth { throw APIError(.unauthorized, code: "invalid_signature", error.message) }
            throw APIError.badRequest(error.message, field: "body")
        }
        guard let update else { return JSONResponse.make(["received": true, "job_id": .null]) }
        state.providers.callbacks.deliver(provider: name, update)
        return JSONResponse.make(["received": true, "job_id": .string(update.jobID),
                                  "status": .string(update.status.state.rawValue)])
    }

    /// Lets adapters that verify with fetched keys (fal's JWKS) refresh them first.
    static func verified(_ delivery: ProviderCallbackDelivery, by provider: any VideoProvider) async throws
        -> ProviderCallbackUpdate? {
        try provider.callback(delivery)
    }
}
