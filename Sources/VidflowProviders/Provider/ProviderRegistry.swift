/// The video providers stages can use, looked up by name; `local` is always there unless replaced.
public struct ProviderRegistry: Sendable {
    private var providers: [String: any VideoProvider] = [:]

    public init(_ providers: [any VideoProvider] = []) {
        for provider in providers { register(provider) }
    }

    /// The default registry: the embedded `local` provider keeping its jobs under `<dataDirectory>/providers/local`.
    public static func standard(dataDirectory: String) -> ProviderRegistry {
        ProviderRegistry([LocalProvider(directory: dataDirectory + "/providers/local")])
    }

    /// Adds or replaces a provider under its name.
    public mutating func register(_ provider: any VideoProvider) { providers[provider.name] = provider }

    public func provider(_ name: String) -> (any VideoProvider)? { providers[name] }
    public var names: [String] { providers.keys.sorted() }
}
