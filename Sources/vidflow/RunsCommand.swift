import ArgumentParser
import Foundation
import VidflowCore

/// `vidflow runs`: the most recent runs, newest first.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "List recent runs, newest first.")

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Only runs with this status (\(RunStatus.allCases.map(\.rawValue).joined(separator: ", "))).",
                               valueName: "status"))
    var status: String?

    @Option(help: "At most this many runs.")
    var limit = 20

    func validate() throws {
        if let status, RunStatus(rawValue: status) == nil {
            let known = RunStatus.allCases.map(\.rawValue).joined(separator: ", ")
            throw CLIFailure.badInput("unknown --status '\(status)' (one of: \(known))").report()
        }
        if limit < 1 { throw CLIFailure.badInput("--limit must be at least 1").report() }
    }

    func run() async throws {
        try await CLIFailure.guarding {
            try await Workspace.session(global) { workspace in
                let runs = try await workspace.store.runs(status: status.flatMap(RunStatus.init(rawValue:)), limit: limit,
                                                          createdBefore: nil)
                if global.json {
                    Console.write(try RunJSON.text(["runs": .array(runs.map(RunJSON.summary))]))
                    return 0
                }
                guard !runs.isEmpty else {
                    Console.line("no runs" + (status.map { " with status \($0)" } ?? "") + " in \(workspace.directory)")
                    return 0
                }
                var rows = [["RUN", "WORKFLOW", "STATUS", "MODE", "CREATED", "DURATION", "BASE"]]
                for run in runs {
                    let duration = run.startedAt.map { TextFormat.duration((run.endedAt ?? Date()).timeIntervalSince($0)) } ?? "-"
                    rows.append([run.id, run.workflowName, run.status.rawValue, run.mode.rawValue,
                                 TextFormat.timestamp(run.createdAt), duration, run.baseRunID ?? ""])
                }
                TextFormat.table(rows).forEach { Console.line($0) }
                return 0
            }
        }
    }
}
