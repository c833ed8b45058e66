import VidflowProviders

/// One provider's effective credentials as `GET /v1/config` reports them: whether anything to authenticate with is
/// configured, where it comes from (`stored` — saved with `PUT /v1/config` —, `flag`, `env`, `file`), and the keys
/// masked (`sk-****x4KR`); never a key in clear.
struct ProviderSettingStatus: Encodable, Sendable {
    var configured: Bool
    /// `stored`, `flag`, `env` or `file`; null when nothing is configured.
    @Nullable var source: String?
    /// The keys, each masked; null when none (a Vertex key file alone configures `vertex`).
    @Nullable var apiKey: String?
    /// The environment variable (or `.env` entry) the credential was read from.
    var variable: String?
    /// The settings file it was read from.
    var file: String?
    /// The base URL when one is set (relays, proxies).
    var baseURL: String?

    /// `provider`'s status in `settings` (which hold `/v1/config`'s stored keys on top).
    init(provider: String, settings: VidflowSettings) {
        let prefix = SettingsCatalog.prefix(of: provider)
        let resolved = ProviderSettings.resolve(provider: provider, settings: settings)
        configured = resolved.hasCredentials
        // The keys' source, else (a Vertex key file) the key file's.
        let keys = settings.lookup(prefix + ".api_key")
        let credential = keys?.value != nil ? keys : settings.lookup(prefix + "." + VertexVeoProvider.Option.credentialsFile)
        if configured, let credential, let origin = credential.source {
            source = origin.name
            variable = credential.variable
            file = origin.path
        }
        apiKey = keys?.value.map(ConfigController.masked)
        baseURL = settings.string(prefix + ".base_url")
    }
}
