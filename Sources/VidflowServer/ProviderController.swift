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
        do {
            try await provider.testConnection()
        } catch let error as ProviderError {
            failure = VideoFailure(code: error.kind.rawValue, message: error.message)
        } catch {
            failure = VideoFailure(code: "unreachable", message: "\(error)")
        }
        let capabilities = provider.capabilities
        return ProviderConnectionTest(provider: name, ok: failure == nil, error: failure,
                                      latencyMs: (Date().timeIntervalSince(started) * 1000).rounded(),
                                      models: capabilities.models, imageInput: capabilities.imageInput)
    }
}
