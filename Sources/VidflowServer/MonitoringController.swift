import Foundation
import Hummingbird
import VidflowCore
import VidflowStore

/// `GET /api/v1/monitoring/heartbeat/task/{id}` and `GET /api/v1/monitoring/timeout/config` (both need a token).
struct MonitoringController {
    let state: ServerState

    func addRoutes(to router: Router<ServerRequestContext>) {
        router.get("/api/v1/monitoring/heartbeat/task/:id", use: heartbeat)
        router.get("/api/v1/monitoring/timeout/config", use: timeoutConfig)
    }

    /// A run's status and when it last changed: its newest event (status change, progress, log), or
    /// the latest of its own and its stages' start and end times; 404 for unknown or foreign ids.
    @Sendable func heartbeat(_ request: Request, context: ServerRequestContext) async throws -> TaskHeartbeat {
        let user = try context.requireUser()
        let id = try context.parameters.require("id")
        let run = try await state.ownedRun(id, user: user)
        let stages = try await state.store.stages(of: id)
        var times = [run.createdAt, run.startedAt, run.endedAt].compactMap { $0 }
        times += stages.flatMap { [$0.startedAt, $0.endedAt].compactMap { $0 } }
        if let last = try await state.store.lastEventTime(ofRun: id) { times.append(last) }
        // The stage the run is busy with, else the one that changed last.
        let stage = stages.first { $0.status == .running }
            ?? stages.max { ($0.endedAt ?? $0.startedAt ?? .distantPast) < ($1.endedAt ?? $1.startedAt ?? .distantPast) }
        return TaskHeartbeat(taskID: id, status: run.status, lastUpdate: times.max(), stage: stage?.stageID,
                             progress: stage?.progress)
    }

    /// The timeouts and retry policy a stage gets unless its workflow sets its own, and the server's own deadlines.
    @Sendable func timeoutConfig(_ request: Request, context: ServerRequestContext) async throws -> TimeoutConfig {
        _ = try context.requireUser()
        let arguments = state.arguments
        let engine = arguments.engine
        let defaults = StageDefaults()
        return TimeoutConfig(
            stage: .init(timeoutMs: defaults.timeoutMs, retry: .init(defaults.retry)),
            server: .init(requestTimeoutMs: Self.milliseconds(arguments.requestTimeout),
                          uploadTimeoutMs: Self.milliseconds(max(arguments.requestTimeout, arguments.uploadTimeout)),
                          drainTimeoutMs: Self.milliseconds(arguments.drainTimeout)),
            engine: .init(heartbeatIntervalMs: Self.milliseconds(engine.heartbeatInterval),
                          staleAfterMs: Int((engine.staleAfter * 1000).rounded()),
                          cancelPollIntervalMs: Self.milliseconds(engine.cancelPollInterval)),
            webhook: .init(retryBackoffMs: arguments.webhookBackoff.map(Self.milliseconds)))
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let parts = duration.components
        return Int(parts.seconds) * 1000 + Int(parts.attoseconds / 1_000_000_000_000_000)
    }
}
