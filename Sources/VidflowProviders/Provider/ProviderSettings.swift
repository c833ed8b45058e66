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
    /// Provider-specific options (`vertex_project`, `region`, ...).
    public var options: [String: String]
    /// Seconds one HTTP request may take.
    public var requestTimeout: Int

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
    ]

    /// Settings for `provider` from the environment, with `stored` (the server's `/v1/config` keys and
    /// options) winning over it. Variables: the key list above (Kling adds `KLING_SECRET_KEY`), and
    /// `VIDFLOW_<NAME>_BASE_URL`, `_RPM`, `_CONCURRENCY`, `_WEBHOOK_SECRET`, `_TIMEOUT`.
    public static func resolve(provider: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                               stored: [String: String] = [:], publicURL: String? = nil,
                               callbackToken: String? = nil) -> ProviderSettings {
        let prefix = "VIDFLOW_" + provider.uppercased() + "_"
        func value(_ storedKey: String, _ variables: [String]) -> String? {
            if let text = stored[storedKey], !text.isEmpty { return text }
            for variable in variables { if let text = environment[variable], !text.isEmpty { return text } }
            return nil
        }
        func list(_ text: String?) -> [String] {
            (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        var settings = ProviderSettings()
        settings.apiKeys = list(value("api_key", [keyVariables[provider], prefix + "API_KEY"].compactMap { $0 }))
        settings.secretKeys = list(value("secret_key", provider == "kling" ? ["KLING_SECRET_KEY"] : [prefix + "SECRET_KEY"]))
        // Pairs may be given together as `ACCESS:SECRET,ACCESS:SECRET` (how `/v1/config` stores Kling keys).
        // Only providers whose keys are pairs split them: fal's keys are `key_id:key_secret` and go whole.
        if pairedKeyProviders.contains(provider), settings.secretKeys.isEmpty,
           settings.apiKeys.contains(where: { $0.contains(":") }) {
            let pairs = settings.apiKeys.map { $0.split(separator: ":", maxSplits: 1).map(String.init) }
            settings.apiKeys = pairs.map { $0[0] }
            settings.secretKeys = pairs.map { $0.count > 1 ? $0[1] : "" }
        }
        let defaultBase = provider == "openai" ? ["OPENAI_BASE_URL"] : []
        settings.baseURL = value("base_url", [prefix + "BASE_URL"] + defaultBase)
        settings.requestsPerMinute = value("rpm", [prefix + "RPM"]).flatMap(Int.init)
        settings.maxConcurrency = value("max_concurrency", [prefix + "CONCURRENCY"]).flatMap(Int.init)
        // Providers that sign their callbacks need their own secret; the others are checked with vidflow's token.
        settings.webhookSecret = value("webhook_secret", [prefix + "WEBHOOK_SECRET"])
            ?? (signedCallbacks.contains(provider) ? nil : callbackToken)
        settings.requestTimeout = value("timeout", [prefix + "TIMEOUT"]).flatMap(Int.init) ?? 60
        for (key, text) in stored where !["api_key", "secret_key", "base_url", "rpm", "max_concurrency",
                                           "webhook_secret", "timeout"].contains(key) {
            settings.options[key] = text
        }
        if let publicURL, !publicURL.isEmpty {
            var url = (publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL) + "/v1/callbacks/" + provider
            if let callbackToken { url += "?token=" + callbackToken }
            settings.callbackURL = url
        }
        return settings
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
