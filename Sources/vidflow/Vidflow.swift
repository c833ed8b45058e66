import ArgumentParser
import Foundation
import Logging
import VidflowServer

/// The `vidflow` command: runs declarative image-and-prompt-to-video workflows with durable state.
@main
struct Vidflow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vidflow",
        abstract: "Run declarative workflows (image + prompt → MP4 + thumbnail) with durable state and crash recovery.",
        discussion: "State lives in the data directory (--data-dir, $VIDFLOW_DATA_DIR, or ./.vidflow). "
            + "Exit status: 0 success, 1 a run failed or was cancelled, 2 bad input.",
        version: "0.1.0",
        subcommands: [RunCommand.self, RetryCommand.self, RerunCommand.self, StatusCommand.self, RunsCommand.self,
                      CancelCommand.self, ValidateCommand.self, ResumeCommand.self, LogsCommand.self, ExportCommand.self,
                      ServeCommand.self, TokenCommand.self, ProvidersCommand.self, GcCommand.self,
                      ConfigCommand.self])

    /// Parses and runs the subcommand; usage errors exit 2 like every other bad input.
    static func main() async {
        bootstrapLogging()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                Console.error(fullMessage(for: error))
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }

    /// Engine logs go to stderr, warnings and worse unless `VIDFLOW_LOG_LEVEL` says otherwise.
    private static func bootstrapLogging() {
        let level = ProcessInfo.processInfo.environment["VIDFLOW_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        let process = ProcessInfo.processInfo
        // `vidflow serve` configures it again from its settings (which may come from `.env` or `vidflow.toml`).
        LogOutput.configure(json: JSONLogHandler.requested(arguments: process.arguments, environment: process.environment),
                            level: level)
        LoggingSystem.bootstrap(LogOutput.handler)
    }
}
