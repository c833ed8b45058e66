/// Where an effective setting came from, from the highest precedence down: `PUT /v1/config` (stored in
/// the data directory), a command-line flag, the environment, a `.env` file, a `vidflow.toml` file, the default.
public enum SettingSource: Sendable, Hashable {
    case api
    case flag
    case environment
    /// A `.env` file (path as given or found).
    case dotenv(String)
    /// A `vidflow.toml` file (path as given or found).
    case file(String)
    case defaultValue

    /// The short name printed by `vidflow config show`: stored (saved with `PUT /v1/config`), flag, env, file, default.
    public var name: String {
        switch self {
        case .api: "stored"
        case .flag: "flag"
        case .environment: "env"
        case .dotenv, .file: "file"
        case .defaultValue: "default"
        }
    }

    /// The file the value was read from, if any.
    public var path: String? {
        switch self {
        case .dotenv(let path), .file(let path): path
        default: nil
        }
    }
}
