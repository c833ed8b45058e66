import Foundation
import VidflowCore

/// The Runway API: `POST /v1/image_to_video` or `/v1/text_to_video`, `GET /v1/tasks/{id}`,
/// `DELETE /v1/tasks/{id}`, with `Authorization: Bearer <key>` and `X-Runway-Version: 2024-11-06`.
///
/// Runway keeps no client reference on tasks and has no task list, so a create whose answer was lost
/// cannot be reconciled (`features.reconcile` is false: the stage fails rather than paying twice).
/// Runway sends no callbacks. Tasks should not be polled faster than every 5 s (`pollAfterMs`).
///
/// ```swift
/// let runway = RunwayProvider(settings: ProviderSettings(apiKeys: ["key_…"]))
/// let id = try await runway.submit(VideoRequest(model: "gen4.5", prompt: "a fox", seconds: 5), idempotencyKey: "k")
/// ```
public final class RunwayProvider: VideoProvider {
    public static let defaultBaseURL = "https://api.dev.runwayml.com"
    /// The API version every request names (required by Runway; the SDK's default).
    public static let apiVersion = "2024-11-06"

    public let name = "runway"
    let http: ProviderHTTPClient
    /// The wait suggested between polls: Runway asks for at least 5 s; tests pass less.
    let pollAfterMs: Int

    /// `pollAfterMs` (or `options["poll_after_ms"]`) overrides the 5 s poll hint.
    public init(settings: ProviderSettings, pollAfterMs: Int? = nil) {
        self.pollAfterMs = pollAfterMs ?? settings.options["poll_after_ms"].flatMap(Int.init) ?? 5000
        let http = ProviderHTTPClient(provider: "runway", settings: settings, baseURL: settings.baseURL ?? Self.defaultBaseURL) { key in
            [("Authorization", "Bearer \(key)"), ("X-Runway-Version", RunwayProvider.apiVersion)]
        }
        self.http = http
    }

    public var capabilities: ProviderCapabilities { capabilities(for: RunwayModels.table[0].id) }

    public func capabilities(for model: String) -> ProviderCapabilities {
        guard let spec = RunwayModels.model(model) else {
            var unknown = RunwayModels.capabilities(RunwayModels.table[0])
            unknown.models = RunwayModels.table.map(\.id)
            return unknown
        }
        return RunwayModels.capabilities(spec)
    }

    public var features: ProviderFeatures { ProviderFeatures(cancel: true) }

    // MARK: Requests

    public func wireRequest(for request: VideoRequest, idempotencyKey: String) throws -> JSONValue {
        let create = try RunwayModels.create(request, provider: name)
        return ["path": .string(create.path), "body": create.body]
    }

    public func submit(_ request: VideoRequest, idempotencyKey: String) async throws -> String {
        let create = try RunwayModels.create(request, provider: name)
        let answer = try await http.json(ProviderHTTPRequest("POST", create.path, body: .json(create.body),
                                                             operation: "submit", isCreate: true))
        let id = try http.createdJobID(answer["id"], in: answer, operation: "submit")
        return id
    }

    private func task(_ jobID: String, _ operation: String) async throws(ProviderError) -> JSONValue {
        try await http.json(ProviderHTTPRequest("GET", "/v1/tasks/\(Self.escaped(jobID))", operation: operation))
    }

    public func status(of jobID: String) async throws -> VideoJobStatus {
        let operation = "status of task \(jobID)"
        let task = try await task(jobID, operation)
        guard let status = RunwayModels.status(of: task, pollAfterMs: pollAfterMs) else {
            throw ProviderError(provider: name, operation: operation, kind: .transient,
                                message: "unknown task status in \(task.canonicalJSON.prefix(200))")
        }
        return status
    }

    /// A fresh output URL (they expire after 24–48 h; re-reading the task signs new ones). Runway's
    /// URLs are pre-signed, so no headers are needed.
    public func resultLocation(of jobID: String) async throws -> ResultLocation {
        try await succeededResult(of: jobID)
    }

    /// `DELETE /v1/tasks/{id}` cancels a pending or running task; on a finished task it would delete
    /// the output, so a task that already ended is left alone.
    public func cancel(_ jobID: String) async throws {
        let current = try await status(of: jobID)
        guard !current.state.isTerminal else { return }
        _ = try await http.send(ProviderHTTPRequest("DELETE", "/v1/tasks/\(Self.escaped(jobID))",
                                                    operation: "cancel task \(jobID)"))
    }

    /// `GET /v1/organization`: free, authenticated, and names the key's tier and credit balance.
    public func testConnection() async throws {
        _ = try await http.json(ProviderHTTPRequest("GET", "/v1/organization", operation: "test connection"))
    }

    static func escaped(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? id
    }
}
