import ArgumentParser
import Foundation
import VidflowCore

/// `vidflow status RUN_ID`: a run's stages as a table, or one JSON document.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a run: each stage's status, attempts, duration, reuse, error and next retry time.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The run id.")
    var runID: String

    func run() async throws {
        try await CLIFailure.guarding {
            try await Workspace.session(global) { workspace in
                guard let run = try await workspace.store.run(runID) else {
                    throw CLIFailure.badInput("no run with id '\(runID)' in \(workspace.directory)")
                }
                let stages = try await workspace.store.stages(of: runID)
                if global.json {
                    Console.write(try RunJSON.text(RunJSON.run(run, stages: stages)))
                } else {
                    RunReport.status(run, stages: stages).forEach { Console.line($0) }
                }
                return 0
            }
        }
    }
}
