import Foundation
import Logging
import ServiceLifecycle
import VidflowStore

/// `vidflow serve --retain 7d`: removes finished runs older than the age, and the files only they use, at
/// start and then periodically (see `RetentionSweep`). Never a pending or running run.
struct RetentionService: Service {
    let sweep: RetentionSweep
    /// Runs that ended longer ago than this go.
    let age: TimeInterval
    let interval: Duration
    let logger: Logger

    /// A quarter of the age, between one second and one hour: a run outlives its age by at most that.
    static func interval(forAge age: TimeInterval) -> Duration {
        .milliseconds(Int64(min(3600, max(1, age / 4)) * 1000))
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let report = try await sweep.run(olderThan: age, dryRun: false)
                    if !report.runs.isEmpty {
                        logger.info("retention removed runs", metadata: [
                            "runs": "\(report.runs.count)", "artifacts": "\(report.artifacts.count)",
                            "bytes": "\(report.bytes)", "kept_artifacts": "\(report.keptArtifacts)",
                        ])
                    }
                } catch is CancellationError {
                    break
                } catch {
                    logger.warning("retention sweep failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
