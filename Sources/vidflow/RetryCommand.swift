import ArgumentParser
import VidflowCore

/// `vidflow retry RUN_ID`: runs again what did not complete, reusing the completed stages.
struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Retry a failed or cancelled run: completed stages are reused, the rest runs again.",
        discussion: "Exit status: 0 when the new run completed, 1 when it failed or was cancelled, 2 for bad input "
            + "(unknown run, a run still running, a bad --input).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: BaseRunOptions

    func run() async throws {
        try await options.execute(.retry, global: global)
    }
}
