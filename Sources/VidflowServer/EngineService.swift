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
        // Polls rather than awaiting the runs: a run's task does not end on cancellation, and a
        // task group would wait for it past the deadline.
        let deadline = ContinuousClock.now + drainTimeout
        while await !engine.activeRunIDs.isEmpty, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let left = await engine.activeRunIDs
        if !left.isEmpty {
            logger.info("leaving running stages to recovery", metadata: ["runs": "\(left.joined(separator: ","))"])
        }
    }
}
