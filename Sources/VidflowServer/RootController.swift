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

    @Sendable func root(_ request: Request, context: ServerRequestContext) async throws -> Response {
        JSONResponse.make(["message": "vidflow API is running", "version": .string(ServerVersion.current)])
    }

    @Sendable func health(_ request: Request, context: ServerRequestContext) async throws -> Response {
        var issues: [JSONValue] = []
        let database = await state.store.ping()
        if !database { issues.append("database: not answering") }
        let storage = FileManager.default.isWritableFile(atPath: state.arguments.dataDirectory)
        if !storage { issues.append("storage: data directory not writable") }
        let types = state.registry.typeNames.sorted()
        let components: JSONValue = [
            "database": ["status": database ? "healthy" : "unhealthy"],
            "storage": ["status": storage ? "healthy" : "unhealthy"],
            "engine": ["status": "healthy", "active_runs": .int(await state.engine.activeRunIDs.count),
                       "queue_depth": .int(state.engine.queueDepth)],
            "providers": ["status": "healthy", "names": .array(state.providers.names.map(JSONValue.string)),
                          "stage_types": .array(types.map(JSONValue.string))],
        ]
        return JSONResponse.make(["status": .string(issues.isEmpty ? "healthy" : "degraded"),
                                  "issues": .array(issues), "components": components])
    }
}
