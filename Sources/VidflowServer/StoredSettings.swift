import Foundation
import VidflowProviders
import VidflowStore

/// What `PUT /v1/config` saved in a data directory, as settings by key: each provider's keys
/// (`<data>/provider-keys.json` → `providers.<name>.api_key`) and `max_concurrency` (the store's `config`
/// setting → `engine.provider_concurrency`). `vidflow serve` puts them above flags, environment and files;
/// `vidflow config show` shows them with the source `stored`.
public enum StoredSettings {
    /// The saved values by setting key; the database is only read when it exists (nothing is created).
    public static func values(dataDirectory: String) async throws -> [String: String] {
        var values: [String: String] = [:]
        for (provider, keys) in ConfigController.keys(at: dataDirectory + "/provider-keys.json") where !keys.isEmpty {
            values[SettingsCatalog.prefix(of: provider) + ".api_key"] = keys
        }
        let database = dataDirectory + "/vidflow.sqlite"
        if FileManager.default.fileExists(atPath: database),
           let limit = try await ConfigController.storedMaxConcurrency(in: SQLiteWorkflowStore(path: database)) {
            values["engine.provider_concurrency"] = String(limit)
        }
        return values
    }

    /// `settings` with the values saved in `dataDirectory` above all other layers.
    public static func adding(to settings: VidflowSettings, dataDirectory: String) async throws -> VidflowSettings {
        let values = try await values(dataDirectory: dataDirectory)
        return values.isEmpty ? settings : settings.adding(onTop: .values(values, source: .api))
    }
}
