import Foundation
import ArgumentParser
import VidflowCore
import VidflowProviders
import VidflowServer

/// `vidflow config show [--json]`: every setting that has a value, with its source (stored, flag, env, file,
/// default) and secrets masked. `stored` values were saved with `PUT /v1/config` in the data directory (provider
/// keys, `max_concurrency`); they sit above all the others in `vidflow serve`.
struct ConfigShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print the effective settings with their source; secrets are masked.",
        discussion: "Precedence: stored (saved with PUT /v1/config; used by `vidflow serve`) > flags (--set KEY=VALUE) > "
            + "environment > .env > vidflow.toml > defaults.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Also list the settings that have no value.")
    var all = false

    func run() async throws {
        let loaded: SettingsLoader.Loaded
        do {
            loaded = try global.loadSettings(warn: !global.json)
        } catch let failure as CLIFailure {
            throw failure.report()
        }
        let settings: VidflowSettings
        do {
            settings = try await StoredSettings.adding(to: loaded.settings, dataDirectory: global.dataDirectory)
        } catch {
            throw CLIFailure.failure("cannot read the settings saved in '\(global.dataDirectory)': \(error)").report()
        }
        let lookups = SettingsCatalog.all().compactMap { settings.lookup($0.key) }
            .filter { all || $0.value != nil }
        if global.json {
            Console.write(try RunJSON.text([
                "files": .array(loaded.files.map(JSONValue.string)),
                "warnings": .array(loaded.warnings.map(JSONValue.string)),
                "settings": .array(lookups.map(SettingDisplay.json)),
            ]))
            return
        }
        let width = (lookups.map(\.definition.key.count).max() ?? 0) + 2
        let values = lookups.map { SettingDisplay.value($0).isEmpty ? "-" : SettingDisplay.value($0) }
        let valueWidth = min((values.map(\.count).max() ?? 0) + 2, 48)
        for (lookup, value) in zip(lookups, values) {
            let note = lookup.invalid ? "  (a value of the wrong type was skipped)" : ""
            Console.line(pad(lookup.definition.key, width) + pad(value, max(valueWidth, value.count + 1))
                + SettingDisplay.source(lookup) + note)
        }
        Console.line(loaded.files.isEmpty ? "files: none" : "files: " + loaded.files.joined(separator: ", "))
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.padding(toLength: width, withPad: " ", startingAt: 0)
    }
}
