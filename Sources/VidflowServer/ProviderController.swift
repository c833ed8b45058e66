import Foundation
import Hummingbird
import VidflowCore
import VidflowProviders

/// `/v1/providers`: the video providers, and a connection test of one.
struct ProviderController {
    let state: ServerState

    func addRoutes(to group: RouterGroup<ServerRequestContext>) {
        group.get(use: list)
        group.post(":name/test-connection", use: testConnection)
    }

    /// `GET /v1/providers`: every provider with its models and capabilities (keys never shown).
    @Sendable func list(_ request: Request, context: ServerRequestContext) async throws -> ProviderList {
        _ = try context.requireUser()
        let providers = state.providers
        let items = providers.names.compactMap { name in
            providers.provider(name).map {
                ProviderDescription.json($0, settings: providers.settings[name], pricing: providers.pricing)
            }
        }
        return ProviderList(providers: items)
    }

    @Sendable func testConnection(_ request: Request, context: ServerRequestContext) async throws -> ProviderConnectionTest {
        _ = try context.requireUser()
        let name = try context.parameters.require("name")
        let providers = state.providers
        guard let provider = providers.provider(name) else {
            throw APIError.notFound("no provider named '\(name)' (known: \(providers.names.joined(separator: ", ")))", field: "name")
        }
        let started = Date()
        var failure: VideoFailure?
        if ConnectionTest.lacksCredentials(provider, settings: providers.settings[name]) {
            // Nothing to authenticate with: answered at once, without a call that can only fail.
            failure = VideoFailure(code: ErrorKind.auth.rawValue, message: ConnectionTest.noCredentialsMessage(name))
        } else {
            let arguments = state.arguments
            failure = await ConnectionTest.run(provider, within: min(arguments.connectionTestTimeout,
                                                                    arguments.requestTimeout * 3 / 4))
        }
        let capabilities = provider.capabilities
        return ProviderConnectionTest(provider: name, ok: failure == nil, error: failure,
                                      latencyMs: (Date().timeIntervalSince(started) * 1000).rounded(),
                                      models: capabilities.models, imageInput: capabilities.imageInput)
    }
}
