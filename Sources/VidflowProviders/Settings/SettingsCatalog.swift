import Foundation

/// Every setting vidflow reads, with the environment variables it has always read them from:
/// `providers.<name>.*` for the video providers, `audio.<service>.*` for the speech services,
/// `server.*` for `vidflow serve`, `engine.*` for the engine of `vidflow serve` and `vidflow run`.
///
/// Provider keys are made for any provider name (a new adapter in `ProviderCatalog.remote` gets its
/// `VIDFLOW_<NAME>_*` variables with no change here).
public enum SettingsCatalog {
    /// The speech services (`AudioServiceSettings`), configured under `audio.<service>`.
    public static let audioServices: Set<String> = ["transcription", "diarization", "pyannote"]

    /// The fields of every provider and speech service.
    public static let providerFields = ["api_key", "secret_key", "base_url", "rpm", "concurrency", "webhook_secret", "timeout"]

    /// Fields only the speech services have.
    public static let audioFields = ["model", "max_upload_mb"]

    /// Fields only some providers have (they become `ProviderSettings.options`), with their variables.
    public static let providerOptions: [String: [String: [String]]] = [
        "vertex": [
            "project": ["VIDFLOW_VERTEX_PROJECT"], "location": ["VIDFLOW_VERTEX_LOCATION"],
            "credentials_file": ["VIDFLOW_VERTEX_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS"],
            "storage_uri": ["VIDFLOW_VERTEX_STORAGE_URI"], "storage_base_url": ["VIDFLOW_VERTEX_STORAGE_BASE_URL"],
        ],
    ]

    /// Settings of `vidflow serve` that are not per provider.
    public static let server: [SettingDefinition] = [
        SettingDefinition(key: "server.host", variables: ["VIDFLOW_HOST"], defaultValue: "127.0.0.1"),
        SettingDefinition(key: "server.port", variables: ["VIDFLOW_PORT"], kind: .int, defaultValue: "8000"),
        SettingDefinition(key: "server.public_url", variables: ["VIDFLOW_PUBLIC_URL"]),
        SettingDefinition(key: "audio.diarization.backend", variables: ["VIDFLOW_DIARIZATION_BACKEND"], defaultValue: "openai"),
        // `vidflow serve`'s flags of the same names (`--request-timeout`, `--user-quota`, `--retain`, `--log-format`).
        SettingDefinition(key: "server.request_timeout", variables: ["VIDFLOW_REQUEST_TIMEOUT"], kind: .int, defaultValue: "30"),
        SettingDefinition(key: "server.user_quota", variables: ["VIDFLOW_USER_QUOTA"], defaultValue: "10GB"),
        SettingDefinition(key: "server.retain", variables: ["VIDFLOW_RETAIN"]),
        SettingDefinition(key: "server.log_format", variables: ["VIDFLOW_LOG_FORMAT"], defaultValue: "text"),
        SettingDefinition(key: "server.log_level", variables: ["VIDFLOW_LOG_LEVEL"], defaultValue: "info"),
        // The engine: stages at once across all runs, and the default limit of each provider pool
        // (`/v1/config`'s `max_concurrency`, which wins when saved).
        SettingDefinition(key: "engine.max_concurrency", variables: ["VIDFLOW_MAX_CONCURRENCY"], kind: .int, defaultValue: "8"),
        SettingDefinition(key: "engine.provider_concurrency", variables: ["VIDFLOW_PROVIDER_CONCURRENCY"], kind: .int,
                          defaultValue: "3"),
    ]

    /// What the server and engine settings accept, checked by `vidflow serve` (and shown in its errors).
    public static let allowedLogFormats = ["text", "json"]
    public static let allowedLogLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
    /// `/v1/config` accepts `max_concurrency` from 1 to 5; `engine.provider_concurrency` is the same value.
    public static let providerConcurrencyRange = 1...5
    public static let requestTimeoutRange = 1...86_400

    /// Where `provider`'s settings live: `audio.<service>` for speech services, else `providers.<name>`.
    public static func prefix(of provider: String) -> String {
        (audioServices.contains(provider) ? "audio." : "providers.") + provider
    }

    /// Every known setting: the server's, each remote provider's and each speech service's, sorted by key.
    public static func all(providers: [String] = ProviderCatalog.remote.map(\.name)) -> [SettingDefinition] {
        let names = providers + audioServices.sorted()
        let perProvider = names.flatMap { name in
            (providerFields + (audioServices.contains(name) ? audioFields : [])
                + (providerOptions[name]?.keys.sorted() ?? [])).compactMap {
                definition(forKey: prefix(of: name) + "." + $0)
            }
        }
        return (server + perProvider).sorted { $0.key < $1.key }
    }

    /// The definition of `key`, or nil for a key vidflow does not read.
    public static func definition(forKey key: String) -> SettingDefinition? {
        if let known = server.first(where: { $0.key == key }) { return known }
        let parts = key.split(separator: ".").map(String.init)
        guard parts.count == 3, ["providers", "audio"].contains(parts[0]), !parts[1].isEmpty,
              (parts[0] == "audio") == audioServices.contains(parts[1]) else { return nil }
        return providerSetting(provider: parts[1], field: parts[2])
    }

    /// A provider's setting and the variables it has always been read from: the vendor's own key variable
    /// (`OPENAI_API_KEY`) then `VIDFLOW_<NAME>_API_KEY`, and `VIDFLOW_<NAME>_BASE_URL`, `_RPM`,
    /// `_CONCURRENCY`, `_WEBHOOK_SECRET`, `_TIMEOUT`; speech services add `_MODEL` and `_MAX_UPLOAD_MB`.
    static func providerSetting(provider: String, field: String) -> SettingDefinition? {
        let key = prefix(of: provider) + "." + field
        let own = "VIDFLOW_" + provider.uppercased() + "_" + field.uppercased()
        let audio = audioServices.contains(provider)
        switch field {
        case "api_key":
            let vendor = provider == "pyannote" ? ["PYANNOTE_API_KEY"] : []
            let variables = [ProviderSettings.keyVariables[provider]].compactMap { $0 } + [own] + vendor
            return SettingDefinition(key: key, variables: variables, isSecret: true)
        case "secret_key":
            return SettingDefinition(key: key, variables: provider == "kling" ? ["KLING_SECRET_KEY"] : [own], isSecret: true)
        case "base_url":
            return SettingDefinition(key: key, variables: [own] + (provider == "openai" ? ["OPENAI_BASE_URL"] : []))
        case "rpm", "concurrency":
            return SettingDefinition(key: key, variables: [own], kind: .int)
        case "webhook_secret":
            return SettingDefinition(key: key, variables: [own], isSecret: true)
        case "timeout":
            return SettingDefinition(key: key, variables: [own], kind: .int, defaultValue: audio ? "300" : "60")
        case "model" where audio:
            return SettingDefinition(key: key, variables: [own], defaultValue: AudioServiceSettings.defaultModel(provider))
        case "max_upload_mb" where audio:
            return SettingDefinition(key: key, variables: [own], kind: .double, defaultValue: "25")
        default:
            guard let variables = providerOptions[provider]?[field] else { return nil }
            return SettingDefinition(key: key, variables: variables,
                                     defaultValue: provider == "vertex" && field == "location" ? VertexVeoProvider.defaultLocation : nil)
        }
    }

    /// The definition whose `rank`-th variable is looked at, by key (for the environment layers).
    static func variable(forKey key: String, rank: Int) -> String? {
        guard let variables = definition(forKey: key)?.variables, rank < variables.count else { return nil }
        return variables[rank]
    }

    /// The most variables one setting has (the number of environment layers needed).
    static let maxVariables = all().map(\.variables.count).max() ?? 1

    /// Whether an environment variable holds a secret (keys, tokens, webhook secrets): such values are
    /// redacted in swift-configuration's access logs.
    static func isSecretVariable(_ name: String) -> Bool {
        ProviderSettings.keyVariables.values.contains(name)
            || ["_KEY", "_TOKEN", "_SECRET"].contains { name.hasSuffix($0) }
    }
}
