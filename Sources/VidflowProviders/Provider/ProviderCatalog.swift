import Foundation

/// Every provider vidflow ships, built from settings: the remote adapters (configured from the
/// environment and the server's stored configuration) and the embedded `local` renderer.
public enum ProviderCatalog {
    /// How to build one remote adapter from its settings.
    public typealias Factory = @Sendable (ProviderSettings) -> any VideoProvider

    /// The remote adapters by name, in the order `vidflow providers` lists them.
    public static let remote: [(name: String, make: Factory)] = [
        // One line per adapter (Remote/<Name>Provider.swift).
        ("openai", { OpenAIProvider(settings: $0) }),
        ("fal", { FalProvider(settings: $0) }),
        ("replicate", { ReplicateProvider(settings: $0) }),
        ("google", { GoogleVeoProvider(settings: $0) }),
        ("vertex", { VertexVeoProvider(settings: $0) }),
        ("yunwu", { YunwuProvider(settings: $0) }),
        ("runway", { RunwayProvider(settings: $0) }),
        ("kling", { KlingProvider(settings: $0) }),
        ("seedance", { SeedanceProvider(settings: $0) }),
        ("dashscope", { DashScopeProvider(settings: $0) }),
    ]

    /// The registry: `local` under `<dataDirectory>/providers/local` plus every remote adapter.
    /// `stored` holds per-provider settings saved by `PUT /v1/config` (they win over the environment);
    /// with `publicURL`, providers that can notify are given `<publicURL>/v1/callbacks/<name>`.
    public static func registry(dataDirectory: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                                stored: [String: [String: String]] = [:], publicURL: String? = nil,
                                callbackToken: String? = nil, callbacks: ProviderCallbackHub = ProviderCallbackHub())
        -> ProviderRegistry {
        var registry = registry(dataDirectory: dataDirectory, callbacks: callbacks) { name in
            ProviderSettings.resolve(provider: name, environment: environment, stored: stored[name] ?? [:],
                                     publicURL: publicURL, callbackToken: callbackToken)
        }
        registry.pricing = ProviderPricing.configured(environment: environment)
        return registry
    }

    /// The registry with every remote adapter configured from `settings` (flags, `/v1/config`, environment,
    /// files, as layered there).
    public static func registry(dataDirectory: String, settings: VidflowSettings, publicURL: String? = nil,
                                callbackToken: String? = nil, callbacks: ProviderCallbackHub = ProviderCallbackHub())
        -> ProviderRegistry {
        registry(dataDirectory: dataDirectory, callbacks: callbacks) { name in
            ProviderSettings.resolve(provider: name, settings: settings, publicURL: publicURL, callbackToken: callbackToken)
        }
    }

    private static func registry(dataDirectory: String, callbacks: ProviderCallbackHub,
                                 settings: (String) -> ProviderSettings) -> ProviderRegistry {
        var registry = ProviderRegistry([LocalProvider(directory: dataDirectory + "/providers/local")], callbacks: callbacks)
        registry.pricing = ProviderPricing.configured()
        for (name, make) in remote {
            var resolved = settings(name)
            resolved.directory = dataDirectory + "/providers/" + name
            registry.register(make(resolved), settings: resolved)
        }
        return registry
    }
}
