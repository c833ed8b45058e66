import Configuration

/// One level of the settings hierarchy: a swift-configuration provider and where its values come from.
/// An environment (or `.env`) layer answers for one `rank` of each setting's variables, so
/// `OPENAI_API_KEY` (rank 0) is looked at before `VIDFLOW_OPENAI_API_KEY` (rank 1).
public struct SettingsLayer: Sendable {
    public var source: SettingSource
    public var provider: any ConfigProvider
    /// Which of a setting's variables this layer reads (environment and `.env` layers); nil otherwise.
    public var rank: Int?

    public init(source: SettingSource, provider: any ConfigProvider, rank: Int? = nil) {
        self.source = source
        self.provider = provider
        self.rank = rank
    }

    /// Layers over environment variables (the process's, or a `.env` file's): one per variable rank,
    /// each mapping a setting's key to its variable. Empty variables count as unset, as they always have;
    /// keys, tokens and secrets are marked secret.
    public static func environment(_ variables: [String: String], source: SettingSource) -> [SettingsLayer] {
        let provider = EnvironmentVariablesProvider(
            environmentVariables: variables.filter { !$0.value.isEmpty },
            secretsSpecifier: .dynamic { name, _ in SettingsCatalog.isSecretVariable(name) })
        return (0..<SettingsCatalog.maxVariables).map { rank in
            let mapped = provider.mapKeys { key in
                let name = SettingsCatalog.variable(forKey: key.components.joined(separator: "."), rank: rank)
                return AbsoluteConfigKey([name ?? "VIDFLOW_NO_SUCH_VARIABLE"])
            }
            return SettingsLayer(source: source, provider: mapped, rank: rank)
        }
    }

    /// A layer of values by setting key (flags, a `vidflow.toml`, `/v1/config`, defaults), each converted to
    /// its setting's type. Keys vidflow does not read, and values that do not convert, are left out:
    /// callers that must report them check with `SettingDefinition.configValue` first.
    public static func values(_ values: [String: String], source: SettingSource) -> SettingsLayer {
        var converted: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, text) in values {
            guard let value = SettingsCatalog.definition(forKey: key)?.configValue(text) else { continue }
            converted[AbsoluteConfigKey(key.split(separator: ".").map(String.init))] = value
        }
        return SettingsLayer(source: source, provider: InMemoryProvider(name: source.name, values: converted))
    }

}
