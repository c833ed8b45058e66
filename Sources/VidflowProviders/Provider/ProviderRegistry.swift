/// The video providers stages can use, looked up by name; `local` is always there unless replaced.
public struct ProviderRegistry: Sendable {
    private var providers: [String: any VideoProvider] = [:]
    /// Job updates from provider callbacks, shared by every stage using this registry.
    public let callbacks: ProviderCallbackHub
    /// Settings each provider was built with (keys masked when shown), by name.
    public private(set) var settings: [String: ProviderSettings] = [:]
    /// List prices with the operator's overrides, for estimates (`ProviderPricing`).
    public var pricing: ProviderPricing = .list

    public init(_ providers: [any VideoProvider] = [], callbacks: ProviderCallbackHub = ProviderCallbackHub()) {
        self.callbacks = callbacks
        for provider in providers { register(provider) }
    }

    /// The default registry: the embedded `local` provider keeping its jobs under `<dataDirectory>/providers/local`,
    /// and every remote adapter configured from the environment (`ProviderCatalog`).
    public static func standard(dataDirectory: String) -> ProviderRegistry {
        ProviderCatalog.registry(dataDirectory: dataDirectory)
    }

    /// Adds or replaces a provider under its name.
    public mutating func register(_ provider: any VideoProvider, settings: ProviderSettings? = nil) {
        providers[provider.name] = provider
        self.settings[provider.name] = settings
    }

    public func provider(_ name: String) -> (any VideoProvider)? { providers[name] }

    /// Engine pool limits from the providers' `max_concurrency` settings (`provider:<name>` → limit).
    public var poolLimits: [String: Int] {
        var limits: [String: Int] = [:]
        for (name, settings) in settings { if let limit = settings.maxConcurrency, limit > 0 { limits["provider:" + name] = limit } }
        return limits
    }
    public var names: [String] { providers.keys.sorted() }
}
