import Hummingbird
import VidflowCore

/// `GET/PUT /v1/config`: the defaults of video tasks, the provider keys saved here, masked (`sk-****x4KR`), and
/// every provider's effective credentials (saved here, or from flags, environment and settings files), masked.
struct ServerConfig: ResponseEncodable, Sendable {
    var defaultProvider: String
    var defaultModel: String
    var defaultSize: String
    var defaultAspectRatio: String
    var maxConcurrency: Int
    var pollIntervalSeconds: Double
    /// Provider name → its masked key list.
    var providerAPIKeys: [String: String]
    /// Provider name → whether it is configured, from where, its keys masked.
    var providerSettings: [String: ProviderSettingStatus]

    /// The stored settings over `ConfigController.defaults`; a stored value of the wrong type counts as unset.
    init(_ config: [String: JSONValue], maskedKeys: [String: String], providerSettings: [String: ProviderSettingStatus] = [:]) {
        let defaults = ConfigController.defaults
        func text(_ key: String) -> String { config[key]?.stringValue ?? defaults[key]?.stringValue ?? "" }
        defaultProvider = text("default_provider")
        defaultModel = text("default_model")
        defaultSize = text("default_size")
        defaultAspectRatio = text("default_aspect_ratio")
        maxConcurrency = config["max_concurrency"]?.intValue ?? defaults["max_concurrency"]?.intValue ?? 3
        pollIntervalSeconds = config["poll_interval_seconds"]?.doubleValue ?? defaults["poll_interval_seconds"]?.doubleValue ?? 5
        providerAPIKeys = maskedKeys
        self.providerSettings = providerSettings
    }
}
