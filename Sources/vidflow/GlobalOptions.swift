import ArgumentParser
import Foundation
import VidflowProviders

/// Flags every subcommand shares: where the data lives, and whether to print JSON.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"),
            help: "Data directory (default: $VIDFLOW_DATA_DIR, else .vidflow in the working directory).")
    var dataDir: String?

    @Flag(help: "Print exactly one JSON document on stdout (progress, if any, goes to stderr).")
    var json = false

    @Option(name: .customLong("config"),
            help: ArgumentHelp("Settings file: vidflow.toml, or a .env file (default: $VIDFLOW_CONFIG, else ./.env and "
                + "./vidflow.toml or <data dir>/vidflow.toml).", valueName: "file"))
    var configFile: String?

    @Option(name: .customLong("set"), parsing: .unconditionalSingleValue,
            help: ArgumentHelp("A setting for this command, over environment and files: KEY=VALUE, e.g. "
                + "providers.openai.concurrency=2 (repeatable; `vidflow config show` lists the keys).", valueName: "key=value"))
    var settingFlags: [String] = []

    /// The data directory as an absolute path: `--data-dir`, then `VIDFLOW_DATA_DIR`, then `./.vidflow`.
    var dataDirectory: String {
        let chosen = dataDir ?? ProcessInfo.processInfo.environment["VIDFLOW_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 }
        return Paths.absolute(chosen ?? ".vidflow")
    }

    func validate() throws {
        if let dataDir, dataDir.isEmpty { throw CLIFailure.badInput("--data-dir must not be empty").report() }
        do {
            _ = try setValues()
        } catch let failure as CLIFailure {
            throw failure.report()
        }
    }

    /// `--set KEY=VALUE` flags by key; a key vidflow does not read, or a value of the wrong type, is bad input.
    func setValues() throws -> [String: String] {
        var values: [String: String] = [:]
        for flag in settingFlags {
            guard let equals = flag.firstIndex(of: "="), equals != flag.startIndex else {
                throw CLIFailure.badInput("--set expects KEY=VALUE, e.g. providers.openai.concurrency=2")
            }
            let key = String(flag[..<equals]), value = String(flag[flag.index(after: equals)...])
            guard let definition = SettingsCatalog.definition(forKey: key) else {
                throw CLIFailure.badInput("--set: unknown setting '\(key.prefix(80))' (`vidflow config show` lists the keys)")
            }
            guard value.isEmpty || definition.configValue(value) != nil else {
                throw CLIFailure.badInput("--set: \(key) must be \(definition.expected)")
            }
            values[key] = value
        }
        return values
    }

    /// The settings for this command: `flags` (the command's own, by setting key) and `--set` over the
    /// environment and settings files. Warnings (unknown keys in a file) go to stderr unless `warn` is false.
    func loadSettings(flags: [String: String] = [:], warn: Bool = true) throws -> SettingsLoader.Loaded {
        let loader = SettingsLoader(flags: try setValues().merging(flags) { _, command in command },
                                    configFile: configFile, dataDirectory: dataDirectory)
        let loaded = try loader.load()
        if warn { for warning in loaded.warnings { Console.error("vidflow: warning: " + warning) } }
        return loaded
    }

    /// `loadSettings(...).settings`.
    func settings(flags: [String: String] = [:], warn: Bool = true) throws -> VidflowSettings {
        try loadSettings(flags: flags, warn: warn).settings
    }
}
