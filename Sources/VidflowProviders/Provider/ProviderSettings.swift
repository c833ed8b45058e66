import Foundation

/// How to reach and use one provider: keys, base URL, limits, callbacks. Built from the environment
/// and the server's stored configuration (`ProviderSettings.resolve`), never logged whole.
public struct ProviderSettings: Sendable, Hashable {
    /// API keys, rotated round-robin (from a comma-separated list).
    public var apiKeys: [String]
    /// Second halves of key pairs where the provider needs one (Kling secret keys, in `apiKeys` order).
    public var secretKeys: [String]
    /// Overrides the provider's public base URL (proxies, relays, tests).
    public var baseURL: String?
    /// Process-wide requests-per-minute cap; nil: none.
    public var requestsPerMinute: Int?
    /// Jobs of this provider running at once across all runs (the `provider:<name>` pool).
    public var maxConcurrency: Int?
    /// Where the provider should POST job updates (`<public url>/v1/callbacks/<name>?token=…`); nil: poll only.
    public var callbackURL: String?
    /// Secret for verifying signed callbacks (Replicate `whsec_…`), or the token expected on unsigned ones.
    public var webhookSecret: String?
    /// Provider-specific options (Vertex's `project`, `location`, `credentials_file`, …; OpenAI's `auth_header`).
    public var options: [String: String]
    /// Seconds one HTTP request may take.
    public var requestTimeout: Int
    /// A directory the adapter may keep files in (`<data>/providers/<name>`: Vertex's inline videos); set
    /// by `ProviderCatalog.registry`.
    public var directory: String?

    public init(apiKeys: [String] = [], secretKeys: [String] = [], baseURL: String? = nil, requestsPerMinute: Int? = nil,
                maxConcurrency: Int? = nil, callbackURL: String? = nil, webhookSecret: String? = nil,
                options: [String: String] = [:], requestTimeout: Int = 60) {
        self.apiKeys = apiKeys
        self.secretKeys = secretKeys
        self.baseURL = baseURL
        self.requestsPerMinute = requestsPerMinute
        self.maxConcurrency = maxConcurrency
        self.callbackURL = callbackURL
        self.webhookSecret = webhookSecret
        self.options = options
        self.requestTimeout = requestTimeout
    }

    /// Providers that sign their callbacks themselves (verified with the provider's secret or keys).
    public static let signedCallbacks: Set<String> = ["replicate", "fal"]

    /// Providers whose credentials are access/secret pairs (`ACCESS:SECRET` is split into the two).
    public static let pairedKeyProviders: Set<String> = ["kling"]

    /// The environment variable holding each provider's key list.
    public static let keyVariables: [String: String] = [
        "openai": "OPENAI_API_KEY", "google": "GEMINI_API_KEY", "runway": "RUNWAY_API_KEY",
        "kling": "KLING_ACCESS_KEY", "seedance": "ARK_API_KEY", "fal": "FAL_KEY",
        "replicate": "REPLICATE_API_TOKEN", "dashscope": "DASHSCOPE_API_KEY", "yunwu": "YUNWU_API_KEY",
        // Vertex AI's "keys" are OAuth access tokens; its usual credential is a key file (`options`).
        "vertex": "VIDFLOW_VERTEX_ACCESS_TOKEN",
    ]

    /// Whether anything to authenticate with is configured: keys, or a service-account key file (Vertex).
    public var hasCredentials: Bool {
        !apiKeys.isEmpty || !(options[VertexVeoProvider.Option.credentialsFile] ?? "").isEmpty
    }

    /// The fields `PUT /v1/config` may store per provider; other stored fields become `options`.
    static let storedFields: Set<String> = ["api_key", "secret_key", "base_url", "rpm", "max_concurrency",
                                            "webhook_secret", "timeout"]

    /// Settings for `provider` from the environment, with `stored` (the server's `/v1/config` keys and
    /// options) winning over it. Variables: the key list above (Kling adds `KLING_SECRET_KEY`), and
    /// `VIDFLOW_<NAME>_BASE_URL`, `_RPM`, `_CONCURRENCY`, `_WEBHOOK_SECRET`, `_TIMEOUT` (`SettingsCatalog`).
    public static func resolve(provider: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                               stored: [String: String] = [:], publicURL: String? = nil,
                               callbackToken: String? = nil) -> ProviderSettings {
        let settings = VidflowSettings.environment(environment)
            .adding(stored: [provider: stored.filter { storedFields.contains($0.key) }])
        return resolve(provider: provider, settings: settings, options: stored.filter { !storedFields.contains($0.key) },
                       publicURL: publicURL, callbackToken: callbackToken)
    }

    /// Settings for `provider` read from `settings` (`providers.<name>.*`, or `audio.<service>.*` for the
    /// speech services), whose layers decide which of flags, `/v1/config`, environment and files wins.
    public static func resolve(provider: String, settings: VidflowSettings, options: [String: String] = [:],
                               publicURL: String? = nil, callbackToken: String? = nil) -> ProviderSettings {
        let prefix = SettingsCatalog.prefix(of: provider) + "."
        func list(_ text: String?) -> [String] {
            (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        var result = ProviderSettings(options: options)
        result.apiKeys = list(settings.string(prefix + "api_key"))
        result.secretKeys = list(settings.string(prefix + "secret_key"))
        // Pairs may be given together as `ACCESS:SECRET,ACCESS:SECRET` (how `/v1/config` stores Kling keys).
        // Only providers whose keys are pairs split them: fal's keys are `key_id:key_secret` and go whole.
        if pairedKeyProviders.contains(provider), result.secretKeys.isEmpty,
           result.apiKeys.contains(where: { $0.contains(":") }) {
            let pairs = result.apiKeys.map { $0.split(separator: ":", maxSplits: 1).map(String.init) }
            result.apiKeys = pairs.map { $0[0] }
            result.secretKeys = pairs.map { $0.count > 1 ? $0[1] : "" }
        }
        result.baseURL = settings.string(prefix + "base_url")
        result.requestsPerMinute = settings.int(prefix + "rpm")
        result.maxConcurrency = settings.int(prefix + "concurrency")
        // Providers that sign their callbacks need their own secret; the others are checked with vidflow's token.
        result.webhookSecret = settings.string(prefix + "webhook_secret")
            ?? (signedCallbacks.contains(provider) ? nil : callbackToken)
        result.requestTimeout = settings.int(prefix + "timeout") ?? 60
        // Provider-specific settings (`SettingsCatalog.providerOptions`: Vertex's project, location, key file…).
        for field in SettingsCatalog.providerOptions[provider]?.keys.sorted() ?? [] where result.options[field] == nil {
            if let text = settings.string(prefix + field), !text.isEmpty { result.options[field] = text }
        }
        if let publicURL, !publicURL.isEmpty {
            var url = (publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL) + "/v1/callbacks/" + provider
            if let callbackToken { url += "?token=" + callbackToken }
            result.callbackURL = url
        }
        return result
    }

    /// The settings as shown to people: keys masked (`sk-****x4KR`), secrets only as "set".
    public var masked: [String: String] {
        var shown: [String: String] = [:]
        if !apiKeys.isEmpty { shown["api_key"] = apiKeys.map(APIKeyPool.mask).joined(separator: ",") }
        if !secretKeys.isEmpty { shown["secret_key"] = "****" }
        if let baseURL { shown["base_url"] = baseURL }
        if let requestsPerMinute { shown["rpm"] = String(requestsPerMinute) }
        if let maxConcurrency { shown["max_concurrency"] = String(maxConcurrency) }
        if webhookSecret != nil { shown["webhook_secret"] = "****" }
        return shown
    }
}
