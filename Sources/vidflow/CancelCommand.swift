import ArgumentParser
import Foundation
import VidflowCore

/// `vidflow cancel RUN_ID`: asks a run to stop, also one another process executes (its owner polls the request).
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a run; a run executed by another vidflow process is stopped by that process.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The run id.")
    var runID: String

    @Option(help: "Seconds to wait for the run to stop before returning.")
    var wait: Double = 10

    func run() async throws {
        try await CLIFailure.guarding {
            try await Workspace.session(global) { workspace in
                guard let run = try await workspace.store.run(runID) else {
                    throw CLIFailure.badInput("no run with id '\(runID)' in \(workspace.directory)")
                }
                guard !run.status.isTerminal else {
                    report(run, note: "already \(run.status.rawValue); nothing to cancel")
                    return 0
                }
                try await workspace.recover()
                try await workspace.engine.cancel(runID)
                let deadline = Date().addingTimeInterval(max(0, wait))
                var current = try await workspace.store.run(runID) ?? run
                while !current.status.isTerminal, Date() < deadline {
                    try await Task.sleep(for: .milliseconds(100))
                    current = try await workspace.store.run(runID) ?? current
                }
                report(current, note: current.status.isTerminal ? current.status.rawValue : "cancellation requested; still stopping")
                return 0
            }
        }
    }

    private func report(_ run: RunRecord, note: String) {
        if global.json {
            let document: JSONValue = ["run_id": .string(run.id), "status": .string(run.status.rawValue), "message": .string(note)]
            if let text = try? RunJSON.text(document) { Console.write(text) }
        } else {
            Console.line("run \(run.id): \(note)")
        }
    }
}
