import Foundation
import HTTPTypes
import Hummingbird
import VidflowCore
import VidflowStore

/// Server-Sent Events of runs: `progress`, `log` and `done`, pushed as they commit, resumable with `Last-Event-ID`
/// (see `EventStreamSession`).
struct EventStreamController {
    let state: ServerState

    func addRoutes(to router: Router<ServerRequestContext>) {
        router.get("v1/workflows/:id/events", use: runEvents)
        router.get("v1/events", use: manyEvents)
    }

    @Sendable func runEvents(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.require("id")
        _ = try await state.ownedRun(id, user: user)
        return stream([id], after: try Self.lastEventID(request))
    }

    @Sendable func manyEvents(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let user = try context.requireUser()
        let text = request.uri.queryParameters["ids"].map(String.init) ?? ""
        var ids: [String] = []
        for id in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !id.isEmpty && !ids.contains(id) {
            ids.append(id)
        }
        guard !ids.isEmpty, ids.count <= 50 else {
            throw APIError.badRequest("give 1 to 50 workflow ids, comma-separated", field: "ids")
        }
        for id in ids { _ = try await state.ownedRun(id, user: user, field: "ids") }
        return stream(ids, after: try Self.lastEventID(request))
    }

    static func lastEventID(_ request: Request) throws -> Int64 {
        let text = request.headers[named: "Last-Event-ID"] ?? request.uri.queryParameters["last_event_id"].map(String.init)
        guard let text, !text.isEmpty else { return 0 }
        guard let id = Int64(text.trimmingCharacters(in: CharacterSet.whitespaces)), id >= 0 else {
            throw APIError.badRequest("must be a non-negative integer (an event id)", field: "Last-Event-ID")
        }
        return id
    }

    private func stream(_ ids: [String], after: Int64) -> Response {
        let session = EventStreamSession(runIDs: ids, store: state.store, engine: state.engine,
                                         backstopInterval: state.arguments.eventPollInterval,
                                         bufferLimit: state.arguments.eventStreamBuffer)
        let clients = state.metrics.sseClients
        let body = ResponseBody { writer in
            clients.increment()
            defer { clients.decrement() }
            try await session.run(after: after, writer: &writer)
        }
        var headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
        if let buffering = HTTPField.Name("X-Accel-Buffering") { headers[buffering] = "no" }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// One SSE frame: `id`, `event` (progress, log or done) and the JSON data.
    static func frame(_ event: EventRecord) -> String {
        var data = event.data.objectValue ?? ["value": event.data]
        data["workflow_id"] = .string(event.runID)
        data["at"] = JSONResponse.time(event.at)
        let name: String
        switch event.kind {
        case .status, .progress:
            name = "progress"
            if data["percent"] == nil, data["status"]?.stringValue == "completed", event.stageID != nil { data["percent"] = 100 }
        case .log: name = "log"
        case .done: name = "done"
        }
        return "id: \(event.id)\nevent: \(name)\ndata: \(JSONValue.object(data).canonicalJSON)\n\n"
    }
}
