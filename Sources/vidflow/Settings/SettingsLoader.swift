import Foundation
import VidflowProviders

/// Builds the CLI's `VidflowSettings`: flags (`--set`, and a command's own flags such as `serve --port`)
/// over the environment, over `.env`, over `vidflow.toml`, over defaults.
///
/// Files: `--config FILE` (or `$VIDFLOW_CONFIG`) alone when given — a `.env`-style file when its name starts
/// with `.env` or ends with `.env`, TOML otherwise; else `./.env` and the first of `./vidflow.toml` and
/// `<data dir>/vidflow.toml` that exist.
struct SettingsLoader {
    /// What was loaded: the settings, the files read, and warnings (unknown keys) for stderr.
    struct Loaded {
        var settings: VidflowSettings
        var files: [String]
        var warnings: [String]
    }

    var flags: [String: String]
    var configFile: String?
    var dataDirectory: String
    var environment: [String: String] = ProcessInfo.processInfo.environment
    var workingDirectory: String = FileManager.default.currentDirectoryPath

    func load() throws -> Loaded {
        var layers = [SettingsLayer.values(flags, source: .flag)]
        layers += SettingsLayer.environment(environment, source: .environment)
        var files: [String] = []
        var warnings: [String] = []
        for file in try candidates() {
            let text = try ConfigFileText.read(file.path)
            files.append(file.path)
            if file.isDotEnv {
                let variables = try DotEnvFile.parse(text, path: file.path)
                let known = Set(SettingsCatalog.all().flatMap(\.variables))
                for name in variables.keys.sorted() where name.hasPrefix("VIDFLOW_") && !known.contains(name) {
                    let why = Self.environmentOnly.contains(name)
                        ? "is read from the environment only" : "is unknown"
                    warnings.append("settings file '\(file.path)': \(name) \(why) (ignored)")
                }
                layers += SettingsLayer.environment(variables, source: .dotenv(file.path))
            } else {
                let toml = try TOMLConfigFile(text: text, path: file.path)
                warnings += toml.unknown.sorted().map { "settings file '\(file.path)': unknown key \($0) (ignored)" }
                layers.append(.values(toml.values, source: .file(file.path)))
            }
        }
        return Loaded(settings: VidflowSettings(layers: layers), files: files, warnings: warnings)
    }

    /// `VIDFLOW_` variables vidflow reads from the process environment only, outside the settings catalog
    /// (a `.env` cannot set them: most are needed before any file is found).
    static let environmentOnly: Set<String> = ["VIDFLOW_DATA_DIR", "VIDFLOW_CONFIG",
                                               "VIDFLOW_SHARE_DIR", "VIDFLOW_SQLITE_SYNC", "VIDFLOW_TEST_STAGES", "VIDFLOW_PRICES"]

    private struct Candidate {
        var path: String
        var isDotEnv: Bool
    }

    private func candidates() throws -> [Candidate] {
        let given = configFile ?? environment["VIDFLOW_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        if let given {
            let path = given.hasPrefix("/") ? given : workingDirectory + "/" + given
            guard FileManager.default.fileExists(atPath: path) else {
                throw CLIFailure.badInput("settings file '\(given)' does not exist")
            }
            let name = URL(fileURLWithPath: path).lastPathComponent
            return [Candidate(path: path, isDotEnv: name.hasPrefix(".env") || name.hasSuffix(".env"))]
        }
        var found: [Candidate] = []
        let dotEnv = workingDirectory + "/.env"
        if Self.exists(dotEnv) { found.append(Candidate(path: dotEnv, isDotEnv: true)) }
        if let toml = [workingDirectory + "/vidflow.toml", dataDirectory + "/vidflow.toml"].first(where: Self.exists) {
            found.append(Candidate(path: toml, isDotEnv: false))
        }
        return found
    }

    /// Whether anything (even a dangling link or a FIFO, which `ConfigFileText` then refuses) is at `path`.
    private static func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }
}
