import Foundation
import Hummingbird
import VidflowCore
import VidflowProviders
import VidflowStore

/// `GET/PUT /v1/config`: defaults for video tasks, and provider API keys (write-only, shown masked).
struct ConfigController {
    let state: ServerState

    static let settingKey = "config"
    static let defaults: [String: JSONValue] = [
        "default_provider": "local", "default_model": "local", "default_size": "1280x720",
        "default_aspect_ratio": "16:9", "max_concurrency": 3, "poll_interval_seconds": 5,
    ]

    func addRoutes(to group: RouterGroup<ServerRequestContext>) {
        group.get(use: show)
        group.put(use: update)
    }

    var keysPath: String { state.arguments.dataDirectory + "/provider-keys.json" }

    func current() async throws -> [String: JSONValue] {
        var config = Self.defaults
        // The engine's default pool limit (`engine.provider_concurrency`: flag, environment, files) until one is saved.
        let configured = state.arguments.engine.defaultPoolLimit
        if SettingsCatalog.providerConcurrencyRange.contains(configured) { config["max_concurrency"] = .int(configured) }
        if let text = try await state.store.setting(Self.settingKey), let stored = try JSONValue.parse(text).objectValue {
            config.merge(stored) { _, new in new }
        }
        return config
    }

    func keys() -> [String: String] { Self.keys(at: keysPath) }

    static func keys(at path: String) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path),
              let value = try? JSONValue.parse(String(decoding: data, as: UTF8.self)) else { return [:] }
        return (value.objectValue ?? [:]).compactMapValues(\.stringValue)
    }

    /// Keys saved by `PUT /v1/config`, as provider settings (they win over the environment).
    static func storedProviderSettings(dataDirectory: String) -> [String: [String: String]] {
        keys(at: dataDirectory + "/provider-keys.json").mapValues { ["api_key": $0] }
    }

    /// `max_concurrency` as saved in `store` by `PUT /v1/config`, when it is a valid one.
    static func storedMaxConcurrency(in store: SQLiteWorkflowStore) async throws -> Int? {
        guard let text = try await store.setting(settingKey),
              let limit = try JSONValue.parse(text)["max_concurrency"]?.intValue,
              SettingsCatalog.providerConcurrencyRange.contains(limit) else { return nil }
        return limit
    }

    /// A stored key list as shown: each key masked (`sk-****x4KR`); of an `ACCESS:SECRET` pair (Kling) only
    /// the access key is hinted at.
    static func masked(_ list: String) -> String {
        list.split(separator: ",").map { entry in
            let parts = entry.trimmingCharacters(in: .whitespaces).split(separator: ":", maxSplits: 1).map(String.init)
            return APIKeyPool.mask(parts.first ?? "") + (parts.count > 1 ? ":****" : "")
        }.joined(separator: ",")
    }

    func render() async throws -> ServerConfig {
        let stored = keys()
        // The saved keys over the server's flags, environment and files, as the providers use them.
        let settings = state.settings.adding(stored: stored.mapValues { ["api_key": $0] })
        let providers = ProviderCatalog.remote.map(\.name)
        let effective = Dictionary(uniqueKeysWithValues: providers.map { ($0, ProviderSettingStatus(provider: $0, settings: settings)) })
        return ServerConfig(try await current(), maskedKeys: stored.mapValues(Self.masked), providerSettings: effective)
    }

    @Sendable func show(_ request: Request, context: ServerRequestContext) async throws -> ServerConfig {
        _ = try context.requireUser()
        return try await render()
    }

    @Sendable func update(_ request: Request, context: ServerRequestContext) async throws -> ServerConfig {
        let user = try context.requireUser()
        guard user.isAdmin else { throw APIError(.forbidden, code: "forbidden", "only an administrator can change the config") }
        let body = try await JSONObjectReader.body(of: request, limit: state.arguments.maxJSONBytes)
        try body.rejectUnknown(Set(Self.defaults.keys).union(["provider_api_keys"]))
        var config = try await current()
        for key in ["default_provider", "default_model", "default_size", "default_aspect_ratio"] {
            if let value = try body.string(key) { config[key] = .string(value) }
        }
        if let size = try body.string("default_size") {
            config["default_size"] = .string(try VideoRequestParser.size(size, field: "default_size") ?? size)
        }
        if let ratio = try body.string("default_aspect_ratio"), VideoRequest.ratioValue(ratio) == nil {
            throw APIError.badRequest("must be W:H, e.g. 16:9", field: "default_aspect_ratio")
        }
        if let value = try body.int("max_concurrency") {
            guard (1...5).contains(value) else { throw APIError.badRequest("must be from 1 to 5", field: "max_concurrency") }
            config["max_concurrency"] = .int(value)
            state.engine.setDefaultPoolLimit(value)
        }
        if let value = try body.number("poll_interval_seconds") {
            guard value > 0, value <= 600 else {
                throw APIError.badRequest("must be more than 0 and at most 600", field: "poll_interval_seconds")
            }
            config["poll_interval_seconds"] = .double(value)
        }
        if let given = try body.object("provider_api_keys") {
            var keys = keys()
            for (name, value) in given {
                switch value {
                case .null: keys[name] = nil
                case .string(let key) where !key.isEmpty: keys[name] = key
                default: throw APIError.badRequest("expected a key string or null", field: "provider_api_keys.\(name)")
                }
            }
            for name in given.keys {
                // Applies at once to the running adapters (Kling key pairs: at the next start).
                let list = (keys[name] ?? "").split(separator: ",").map(String.init)
                if name != "kling" { state.providers.provider(name)?.keyPool?.replace(list) }
            }
            let text = JSONValue.object(keys.mapValues(JSONValue.string)).canonicalJSON
            guard FileManager.default.createFile(atPath: keysPath, contents: Data(text.utf8),
                                                 attributes: [.posixPermissions: 0o600]) else {
                throw APIError(.internalServerError, code: "storage_error", "cannot save the keys")
            }
        }
        try await state.store.setSetting(Self.settingKey, JSONValue.object(config).canonicalJSON)
        return try await render()
    }
}
