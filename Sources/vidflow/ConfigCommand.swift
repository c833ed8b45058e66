import ArgumentParser

/// `vidflow config`: the settings vidflow runs with.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Show the effective settings and where each comes from.",
        subcommands: [ConfigShowCommand.self], defaultSubcommand: ConfigShowCommand.self)
}
