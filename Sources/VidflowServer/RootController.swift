import Foundation
import Hummingbird
import VidflowCore

/// `GET /` and `GET /api/v1/monitoring/health`.
struct RootController {
    let state: ServerState

    func addRoutes(to router: Router<ServerRequestContext>) {
        router.get("/", use: root)
        router.get("/api/v1/monitoring/health", use: health)
    }

    @Sendable func root(_ request: Request, context: ServerRequestContext) async throws -> ServiceInfo {
        ServiceInfo()
    }

    @Sendable func health(_ request: Request, context: ServerRequestContext) async throws -> Health {
        var issues: [String] = []
        let database = await state.store.ping()
        if !database { issues.append("database: not answering") }
        let storage = FileManager.default.isWritableFile(atPath: state.arguments.dataDirectory)
        if !storage { issues.append("storage: data directory not writable") }
        let components = Health.Components(
            database: .init(database), storage: .init(storage),
            engine: .init(activeRuns: await state.engine.activeRunIDs.count, queueDepth: state.engine.queueDepth),
            providers: .init(names: state.providers.names, stageTypes: state.registry.typeNames.sorted()))
        return Health(status: issues.isEmpty ? "healthy" : "degraded", issues: issues, components: components)
    }
}
