import ArgumentParser
import Foundation
import VidflowCore
import VidflowStore

/// `vidflow gc [--older-than 7d] [--dry-run] [--json]`: removes finished runs that ended longer ago than the
/// age, their rows, their shared files, and the artifacts no remaining run uses. Never a pending or running run.
struct GcCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove finished runs older than an age, with the files only they use.",
        discussion: "Only completed, failed and cancelled runs whose end is older than --older-than go, with their "
            + "stages, attempts, events and shared files (files/<user>/share/workflows/<run id>). An artifact is "
            + "deleted only when no remaining run uses it. --dry-run lists the same set and removes nothing.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("older-than"), help: "Age: a number and s, m, h, d or w (12h, 7d). Default: 7d.")
    var olderThan = "7d"

    @Flag(name: .customLong("dry-run"), help: "Print what would be removed; remove nothing.")
    var dryRun = false

    func validate() throws {
        if ExpiryDuration.parse(olderThan) == nil {
            throw CLIFailure.badInput("--older-than must be a number and a unit up to ten years, like 12h or 7d "
                                      + "(got '\(olderThan)')").report()
        }
    }

    func run() async throws {
        try await CLIFailure.guarding {
            let age = ExpiryDuration.parse(olderThan) ?? 0
            let directory = global.dataDirectory
            let path = directory + "/vidflow.sqlite"
            let report: RetentionReport
            if FileManager.default.fileExists(atPath: path) {
                let store = try SQLiteWorkflowStore(path: path)
                report = try await RetentionSweep(store: store, dataDirectory: directory).run(olderThan: age, dryRun: dryRun)
            } else {
                report = RetentionReport(cutoff: Date().addingTimeInterval(-age), dryRun: dryRun)
            }
            global.json ? try printJSON(report) : printText(report)
            return 0
        }
    }

    private func printJSON(_ report: RetentionReport) throws {
        let runs: [JSONValue] = report.runs.map { run in
            .object(["id": .string(run.id), "workflow": .string(run.workflowName), "status": .string(run.status.rawValue),
                     "ended_at": RunJSON.time(run.endedAt)])
        }
        let document: JSONValue = ["dry_run": .bool(report.dryRun), "cutoff": RunJSON.time(report.cutoff),
                                   "runs": .array(runs), "artifacts": .int(report.artifacts.count),
                                   "kept_artifacts": .int(report.keptArtifacts), "bytes": .int(Int(report.bytes))]
        print(try RunJSON.text(document), terminator: "")
    }

    private func printText(_ report: RetentionReport) {
        let verb = report.dryRun ? "would remove" : "removed"
        for run in report.runs {
            print("\(verb) \(run.id)  \(run.workflowName)  \(run.status.rawValue)  ended \(TextFormat.timestamp(run.endedAt))")
        }
        let kept = report.keptArtifacts > 0 ? "; kept \(report.keptArtifacts) still used by other runs" : ""
        print("\(verb) \(report.runs.count) run(s) that ended before \(TextFormat.timestamp(report.cutoff)), "
              + "\(report.artifacts.count) artifact(s), \(Self.bytes(report.bytes))\(kept)")
    }

    /// `1.5 MB`-style sizes, in powers of 1024.
    static func bytes(_ count: Int64) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(count) bytes" : String(format: "%.1f", value) + " " + units[unit]
    }
}
