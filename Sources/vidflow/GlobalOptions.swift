import ArgumentParser
import Foundation

/// Flags every subcommand shares: where the data lives, and whether to print JSON.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"),
            help: "Data directory (default: $VIDFLOW_DATA_DIR, else .vidflow in the working directory).")
    var dataDir: String?

    @Flag(help: "Print exactly one JSON document on stdout (progress, if any, goes to stderr).")
    var json = false

    /// The data directory as an absolute path: `--data-dir`, then `VIDFLOW_DATA_DIR`, then `./.vidflow`.
    var dataDirectory: String {
        let chosen = dataDir ?? ProcessInfo.processInfo.environment["VIDFLOW_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 }
        return Paths.absolute(chosen ?? ".vidflow")
    }

    func validate() throws {
        if let dataDir, dataDir.isEmpty { throw CLIFailure.badInput("--data-dir must not be empty").report() }
    }
}
