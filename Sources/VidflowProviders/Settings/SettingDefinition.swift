import Configuration
import Foundation

/// One setting vidflow reads: its key (`providers.openai.api_key`, the name in `vidflow.toml` and
/// `--set`), the environment variables that give it (first set one wins), its type, and whether it is
/// secret (never logged, masked when shown).
///
/// ```swift
/// let key = SettingsCatalog.definition(forKey: "providers.openai.api_key")
/// key?.variables   // ["OPENAI_API_KEY", "VIDFLOW_OPENAI_API_KEY"]
/// ```
public struct SettingDefinition: Sendable, Hashable {
    /// The value's type; values from files and flags are converted to it when they are read.
    public enum Kind: String, Sendable, Hashable {
        case string, int, double
    }

    /// Dotted key: `providers.<name>.<field>`, `audio.<service>.<field>`, `server.<field>`.
    public var key: String
    /// Environment variables (also the names used in `.env`), in the order they are looked at.
    public var variables: [String]
    public var kind: Kind
    public var isSecret: Bool
    /// The value when no source gives one (nil: unset).
    public var defaultValue: String?

    public init(key: String, variables: [String], kind: Kind = .string, isSecret: Bool = false, defaultValue: String? = nil) {
        self.key = key
        self.variables = variables
        self.kind = kind
        self.isSecret = isSecret
        self.defaultValue = defaultValue
    }

    /// The type swift-configuration reads the value as.
    var configType: ConfigType {
        switch kind {
        case .string: .string
        case .int: .int
        case .double: .double
        }
    }

    /// `text` as a configuration value of this setting's type; nil when it does not convert
    /// (`concurrency = "three"`) or is empty (empty means unset, as for environment variables).
    public func configValue(_ text: String) -> ConfigValue? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        switch kind {
        case .string: return ConfigValue(.string(text), isSecret: isSecret)
        case .int: return Int(trimmed).map { ConfigValue(.int($0), isSecret: isSecret) }
        case .double: return Double(trimmed).map { ConfigValue(.double($0), isSecret: isSecret) }
        }
    }

    /// What a value must look like, for error messages.
    public var expected: String {
        switch kind {
        case .string: "a string"
        case .int: "a whole number"
        case .double: "a number"
        }
    }
}
