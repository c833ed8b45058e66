import ArgumentParser
import Foundation
import VidflowCore

/// `vidflow export RUN DIR [--name NAME] [--force]`: a completed run's final files, written into DIR under
/// readable names (`NAME.mp4`, `NAME_thumb.jpg`, `NAME.srt`…), copied from the content-addressed store.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a completed run's final files into a directory under readable names.",
        discussion: "Files are named NAME.mp4, NAME_thumb.jpg, NAME_sprites.jpg, NAME.srt, NAME.wav…, NAME being --name or "
            + "<workflow>-<run id>. An existing file is never replaced without --force (exit 2, nothing written). "
            + "Each file is copied beside its target and renamed into place, so none is ever half-written.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The id of a completed run.")
    var runID: String

    @Argument(help: "The directory to write into (created when missing).")
    var directory: String

    @OptionGroup var naming: ExportNaming

    func validate() throws {
        if runID.isEmpty { throw CLIFailure.badInput("the run id must not be empty").report() }
        if directory.isEmpty { throw CLIFailure.badInput("the directory must not be empty").report() }
    }

    func run() async throws {
        try await CLIFailure.guarding {
            try await Workspace.session(global) { workspace in
                guard let run = try await workspace.store.run(runID) else {
                    throw CLIFailure.badInput("no run with id '\(runID)' in \(workspace.directory)")
                }
                let export = RunExport(directory: directory, naming: naming)
                let written = try export.write(run, stages: try await workspace.store.stages(of: runID))
                if global.json {
                    Console.write(try RunJSON.text(["run_id": .string(runID), "directory": .string(export.directory),
                                                    "files": RunExport.json(written)]))
                } else if written.isEmpty {
                    Console.line("run \(runID) has no output files")
                } else {
                    written.forEach { Console.line("wrote \($0.path)") }
                }
                return 0
            }
        }
    }
}
