import Foundation
import Logging
import ServiceLifecycle
import VidflowEngine

/// Runs the engine inside the server's ServiceGroup: recovers interrupted runs on start; on graceful
/// shutdown stops watching and gives running stages a moment to finish (the rest is left to recovery).
struct EngineService: Service {
    let engine: Engine
    let drainTimeout: Duration
    let logger: Logger

    func run() async throws {
        await engine.start()
        let resumed = try await engine.recover()
        if !resumed.isEmpty {
            logger.info("continuing interrupted runs", metadata: ["runs": "\(resumed.joined(separator: ","))"])
        }
        try? await gracefulShutdown()
        await engine.stop()
        let engine = engine
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await engine.waitForAll() }
            group.addTask { try? await Task.sleep(for: self.drainTimeout) }
            await group.next()
            group.cancelAll()
        }
    }
}
