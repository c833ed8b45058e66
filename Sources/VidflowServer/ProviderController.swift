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
    @Sendable func list(_ request: Request, context: ServerRequestContext) async throws -> Response {
        _ = try context.requireUser()
        let providers = state.providers
        let items = providers.names.compactMap { name in
            providers.provider(name).map { ProviderDescription.json($0, settings: providers.settings[name]) }
        }
        return JSONResponse.make(["providers": .array(items)])
    }

    @Sendable func testConnection(_ request: Request, context: ServerRequestContext) async throws -> Response {
        _ = try context.requireUser()
        let name = try context.parameters.require("name")
        let providers = state.providers
        guard let provider = providers.provider(name) else {
            throw APIError.notFound("no provider named '\(name)' (known: \(providers.names.joined(separator: ", ")))", field: "name")
        }
        let started = Date()
        var result: [String: JSONValue] = ["provider": .string(name)]
        do {
            try await provider.testConnection()
            result["ok"] = true
            result["error"] = .null
        } catch let error as ProviderError {
            result["ok"] = false
            result["error"] = ["code": .string(error.kind.rawValue), "message": .string(error.message)]
        } catch {
            result["ok"] = false
            result["error"] = ["code": "unreachable", "message": .string("\(error)")]
        }
        result["latency_ms"] = .double((Date().timeIntervalSince(started) * 1000).rounded())
        let capabilities = provider.capabilities
        result["models"] = .array(capabilities.models.map(JSONValue.string))
        result["image_input"] = .bool(capabilities.imageInput)
        return JSONResponse.make(.object(result))
    }
}
