import ArgumentParser
import Foundation
import VidflowCore

/// `vidflow resume`: continues every run left by a killed or crashed process, and waits for them.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue runs interrupted by a killed process and wait for them to end.",
        discussion: "Exit status: 0 when every resumed run completed (or there was none), 1 otherwise.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await CLIFailure.guarding {
            try await Workspace.session(global) { workspace in
                await workspace.engine.start()
                let resumed = try await workspace.engine.recover()
                if !global.json {
                    Console.line(resumed.isEmpty ? "nothing to resume" : "resuming \(resumed.count) run(s): " + resumed.joined(separator: ", "))
                }
                await workspace.engine.waitForAll()
                var runs: [RunRecord] = []
                for id in resumed {
                    if let run = try await workspace.store.run(id) { runs.append(run) }
                }
                if global.json {
                    Console.write(try RunJSON.text(["resumed": .array(runs.map(RunJSON.summary))]))
                } else {
                    for run in runs {
                        Console.line("run \(run.id) \(run.status.rawValue)" + (run.error.map { ": \($0.message)" } ?? ""))
                    }
                }
                return runs.allSatisfy { $0.status == .completed } ? 0 : 1
            }
        }
    }
}
