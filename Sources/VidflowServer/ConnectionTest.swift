import Foundation
import VidflowCore
import VidflowProviders

/// `POST /v1/providers/{name}/test-connection`'s checks: a provider with nothing to authenticate with is answered
/// at once (no network call), and a provider that does not answer is given up on after a bounded wait, so the
/// test always answers with a result rather than the server's request timeout.
enum ConnectionTest {
    /// Whether `provider` has nothing to authenticate with: no key in its shared pool (where keys saved with
    /// `PUT /v1/config` apply at once) or, for adapters without one, in its settings; and no key file (Vertex).
    /// The embedded `local` provider (no settings) needs none.
    static func lacksCredentials(_ provider: any VideoProvider, settings: ProviderSettings?) -> Bool {
        guard let settings else { return false }
        let keyFile = !(settings.options[VertexVeoProvider.Option.credentialsFile] ?? "").isEmpty
        let keys = provider.keyPool.map { !$0.isEmpty } ?? !settings.apiKeys.isEmpty
        return !keys && !keyFile
    }

    /// "no API key configured", with where one can be given.
    static func noCredentialsMessage(_ name: String) -> String {
        let variable = ProviderSettings.keyVariables[name].map { "\($0), " } ?? ""
        let keyFile = name == "vertex" ? "GOOGLE_APPLICATION_CREDENTIALS (a key file), " : ""
        return "no API key configured (set \(keyFile)\(variable)\(SettingsCatalog.prefix(of: name)).api_key in vidflow.toml, "
            + "or save one with PUT /v1/config)"
    }

    /// Runs the provider's test; nil when it passed, else the failure (`timeout` when it took longer than `limit`,
    /// after which the call is cancelled).
    static func run(_ provider: any VideoProvider, within limit: Duration) async -> VideoFailure? {
        await withTaskGroup(of: VideoFailure?.self) { group in
            group.addTask {
                do {
                    try await provider.testConnection()
                    return nil
                } catch let error as ProviderError {
                    return VideoFailure(code: error.kind.rawValue, message: error.message)
                } catch {
                    return VideoFailure(code: "unreachable", message: "\(error)")
                }
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
                return VideoFailure(code: "timeout", message: "\(provider.name) did not answer within "
                    + (seconds.rounded() == seconds ? String(Int(seconds)) : String(format: "%.1f", seconds)) + " s")
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}
