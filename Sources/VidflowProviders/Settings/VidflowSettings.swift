import Configuration
import Foundation

/// vidflow's effective settings: a swift-configuration `ConfigReader` over layers in precedence order —
/// `/v1/config` (server), flags, the environment, `.env`, `vidflow.toml` — with each setting's default
/// last. Provider keys, base URLs, limits and timeouts are read through it (`ProviderSettings.resolve`,
/// `AudioServiceSettings.resolve`), secrets as secrets.
///
/// ```swift
/// let settings = VidflowSettings(layers: [flags] + SettingsLayer.environment(env, source: .environment))
/// settings.int("providers.openai.concurrency")          // 2
/// settings.lookup("providers.openai.api_key").source     // .environment
/// ```
public struct VidflowSettings: Sendable {
    /// The layers, highest precedence first.
    public let layers: [SettingsLayer]
    private let reader: ConfigReader
    private let recorder: SettingsSourceRecorder

    public init(layers: [SettingsLayer]) {
        self.layers = layers
        let recorder = SettingsSourceRecorder()
        self.recorder = recorder
        reader = layers.isEmpty
            ? ConfigReader(provider: InMemoryProvider(values: [:]), accessReporter: recorder)
            : ConfigReader(providers: layers.map(\.provider), accessReporter: recorder)
    }

    /// Settings from environment variables only (and the defaults): what vidflow read before files existed.
    public static func environment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> VidflowSettings {
        VidflowSettings(layers: SettingsLayer.environment(environment, source: .environment))
    }

    /// The same settings with `layer` above all others (the server puts `/v1/config`'s keys there).
    public func adding(onTop layer: SettingsLayer) -> VidflowSettings {
        VidflowSettings(layers: [layer] + layers)
    }

    /// The same settings with the provider keys saved by `PUT /v1/config` (`[provider: [field: value]]`,
    /// fields as `ProviderSettings.resolve` takes them) above all others.
    public func adding(stored: [String: [String: String]]) -> VidflowSettings {
        guard !stored.isEmpty else { return self }
        var values: [String: String] = [:]
        for (provider, fields) in stored {
            for (field, value) in fields {
                let name = field == "max_concurrency" ? "concurrency" : field
                values[SettingsCatalog.prefix(of: provider) + "." + name] = value
            }
        }
        return adding(onTop: .values(values, source: .api))
    }

    /// A setting's effective value (rendered as text), where it came from, and whether a source held
    /// a value that does not convert to the setting's type (that value is skipped, as it always was).
    public struct Lookup: Sendable, Hashable {
        public var definition: SettingDefinition
        public var value: String?
        /// nil when the setting is unset.
        public var source: SettingSource?
        /// The variable it was read from, for the environment and `.env` files.
        public var variable: String?
        public var invalid: Bool
        /// Where the skipped value of the wrong type came from (and its variable), when known.
        public var invalidSource: SettingSource? = nil
        public var invalidVariable: String? = nil
    }

    /// Looks `key` up through the hierarchy; nil for a key vidflow does not read.
    public func lookup(_ key: String) -> Lookup? {
        guard let definition = SettingsCatalog.definition(forKey: key) else { return nil }
        let configKey = ConfigKey(key.split(separator: ".").map(String.init))
        let secret = definition.isSecret
        let value: String? = switch definition.kind {
        case .string: reader.string(forKey: configKey, isSecret: secret)
        case .int: reader.int(forKey: configKey, isSecret: secret).map(String.init)
        case .double: reader.double(forKey: configKey, isSecret: secret).map { String($0) }
        }
        let answer = recorder.answer(for: key)
        var found = Lookup(definition: definition, value: value, source: nil, variable: nil, invalid: answer?.failed ?? false)
        if let index = answer?.failedIndex, index < layers.count {
            found.invalidSource = layers[index].source
            found.invalidVariable = layers[index].rank.flatMap { SettingsCatalog.variable(forKey: key, rank: $0) }
        }
        if value != nil, let index = answer?.providerIndex, index < layers.count {
            let layer = layers[index]
            found.source = layer.source
            found.variable = layer.rank.flatMap { SettingsCatalog.variable(forKey: key, rank: $0) }
        } else if let fallback = definition.defaultValue {
            found.value = fallback
            found.source = .defaultValue
        }
        return found
    }

    /// The setting as text (its default when no source gives it).
    public func string(_ key: String) -> String? { lookup(key)?.value }

    /// The setting as a whole number (its default when no source gives a valid one).
    public func int(_ key: String) -> Int? { string(key).flatMap { Int($0) } }

    /// The setting as a number (its default when no source gives a valid one).
    public func double(_ key: String) -> Double? { string(key).flatMap { Double($0) } }
}
