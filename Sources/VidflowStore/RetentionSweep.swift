import Foundation
import VidflowCore

/// Removes finished runs older than an age, with their files: the artifacts no remaining run uses (and the
/// caches beside them, such as `<sha256>.spritesheet.jpg`) and each run's shared copies under
/// `<data>/files/<user>/share/workflows/<run id>/`. Used by `vidflow gc` and by `vidflow serve --retain`.
///
/// ```swift
/// let sweep = RetentionSweep(store: store, dataDirectory: "/srv/vidflow")
/// let report = try await sweep.run(olderThan: 7 * 86_400, dryRun: true)   // removes nothing
/// ```
///
/// Rows go first, in one transaction; files after it commits, and only inside `<data>/artifacts` and
/// `<data>/files`, so a crash in between leaves unreferenced files, never a run pointing at a missing file.
public struct RetentionSweep: Sendable {
    public let store: SQLiteWorkflowStore
    public let dataDirectory: String

    public init(store: SQLiteWorkflowStore, dataDirectory: String) {
        self.store = store
        self.dataDirectory = (dataDirectory as NSString).standardizingPath
    }

    /// Removes (or with `dryRun`, only reports) the runs that ended more than `age` seconds before `now`.
    public func run(olderThan age: TimeInterval, now: Date = Date(), dryRun: Bool) async throws -> RetentionReport {
        let cutoff = now.addingTimeInterval(-age)
        var report = try await store.removeRuns(endedBefore: cutoff, dryRun: dryRun)
        // An artifact stored or reused (its file touched by the import) after the cutoff belongs to a stage
        // that ran since: it stays, even when no committed row names it yet.
        let unused = report.artifacts.filter { !Self.touched($0.path, after: cutoff) }
        report.keptArtifacts += report.artifacts.count - unused.count
        report.artifacts = unused
        report.bytes = report.artifacts.flatMap(files(of:)).reduce(0) { $0 + Self.size(of: $1) }
        guard !dryRun else { return report }
        let manager = FileManager.default
        for path in report.artifacts.flatMap(files(of:)) { try? manager.removeItem(atPath: path) }
        for run in report.runs { removeShared(run.id) }
        return report
    }

    /// The artifact's file and its caches: every `<sha256>` or `<sha256>.*` beside it, not an import still
    /// being written (`.part-`); nothing when the artifact is not under `<data>/artifacts`.
    public func files(of artifact: ArtifactRef) -> [String] {
        let path = (artifact.path as NSString).standardizingPath
        let directory = (path as NSString).deletingLastPathComponent
        guard directory.hasPrefix(dataDirectory + "/artifacts/"), !artifact.sha256.isEmpty,
              let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return names.filter { name in
            (name == artifact.sha256 || name.hasPrefix(artifact.sha256 + ".")) && !name.contains(".part-")
        }.sorted().map { directory + "/" + $0 }
    }

    /// Whether the file at `path` was modified after `date`.
    public static func touched(_ path: String, after date: Date) -> Bool {
        guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date else {
            return false
        }
        return modified > date
    }

    /// Deletes `share/workflows/<run id>` (and the marker saying it was deleted) in every user's storage.
    private func removeShared(_ runID: String) {
        guard !runID.isEmpty, !runID.contains("/"), runID != ".", runID != ".." else { return }
        let manager = FileManager.default
        let files = dataDirectory + "/files"
        for user in (try? manager.contentsOfDirectory(atPath: files)) ?? [] {
            try? manager.removeItem(atPath: "\(files)/\(user)/share/workflows/\(runID)")
            try? manager.removeItem(atPath: "\(files)/\(user)/.shared/\(runID).deleted")
        }
    }

    private static func size(of path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }
}
