import Foundation
import VidflowCore

/// What a retention sweep removed — or, in a dry run, would remove: finished runs older than the cutoff,
/// the artifacts no remaining run uses, and the bytes that freed.
public struct RetentionReport: Sendable, Equatable {
    /// One run removed with its stages, attempts, events, jobs, callbacks and webhook deliveries.
    public struct RemovedRun: Sendable, Equatable {
        public var id: String
        public var workflowName: String
        public var status: RunStatus
        /// When the run ended (its start or creation when it never recorded an end).
        public var endedAt: Date
    }

    /// Runs that ended before this time were removed.
    public var cutoff: Date
    /// True when nothing was removed: the report says what would have been.
    public var dryRun: Bool
    public var runs: [RemovedRun]
    /// Artifacts used only by the removed runs: their files (and caches beside them) are deleted.
    public var artifacts: [ArtifactRef]
    /// Artifacts of the removed runs kept because a remaining run still uses them.
    public var keptArtifacts: Int
    /// Bytes on disk of the deleted artifact files and their caches.
    public var bytes: Int64

    public init(cutoff: Date, dryRun: Bool, runs: [RemovedRun] = [], artifacts: [ArtifactRef] = [],
                keptArtifacts: Int = 0, bytes: Int64 = 0) {
        self.cutoff = cutoff
        self.dryRun = dryRun
        self.runs = runs
        self.artifacts = artifacts
        self.keptArtifacts = keptArtifacts
        self.bytes = bytes
    }
}
