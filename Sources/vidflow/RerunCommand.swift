import ArgumentParser
import VidflowCore

/// `vidflow rerun RUN_ID`: an incremental run that executes only what changed since the base run.
struct RerunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rerun",
        abstract: "Re-run a run incrementally: only stages whose inputs, parameters or upstream changed run.",
        discussion: "Exit status: 0 when the new run completed, 1 when it failed or was cancelled, 2 for bad input.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: BaseRunOptions

    func run() async throws {
        try await options.execute(.incremental, global: global)
    }
}
