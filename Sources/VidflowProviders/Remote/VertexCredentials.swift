import Foundation
import VidflowCore

/// Where the Vertex adapter's bearer tokens come from: access tokens given as keys
/// (`VIDFLOW_VERTEX_ACCESS_TOKEN` or `/v1/config`, for short jobs; they win when set), else the
/// service-account key file (`GOOGLE_APPLICATION_CREDENTIALS`), exchanged and cached by
/// `GoogleServiceAccountToken`. A key file that cannot be used is remembered as its one error and
/// reported on every call, so a bad ambient variable never stops the server from starting.
struct VertexCredentials: Sendable {
    /// Given access tokens (the provider's `keyPool`, so a config change applies at once).
    let given: APIKeyPool
    /// The service account, or why its key file cannot be used; nil when no key file is configured.
    let serviceAccount: Result<GoogleServiceAccountToken, ProviderError>?
    let provider: String

    init(settings: ProviderSettings, provider: String, now: @escaping @Sendable () -> Date = Date.init) {
        self.provider = provider
        given = APIKeyPool(settings.apiKeys)
        if let path = settings.options[VertexVeoProvider.Option.credentialsFile], !path.isEmpty {
            do {
                let key = try GoogleServiceAccountKey.load(path: path, provider: provider)
                serviceAccount = .success(GoogleServiceAccountToken(key: key, provider: provider,
                                                                    timeoutSeconds: settings.requestTimeout, now: now))
            } catch {
                serviceAccount = .failure(error)
            }
        } else {
            serviceAccount = nil
        }
    }

    /// The key file's `project_id`, when it was read.
    var projectID: String? {
        guard case .success(let source)? = serviceAccount else { return nil }
        return source.key.projectID
    }

    /// A bearer token for one request, and whether it came from the service account (then a 401 is worth
    /// one more try with a fresh token).
    func bearer(operation: String) async throws(ProviderError) -> (token: String, fromServiceAccount: Bool) {
        if let token = given.next() { return (token, false) }
        switch serviceAccount {
        case .success(let source)?:
            return (try await source.token(), true)
        case .failure(var error)?:
            error.operation = operation
            throw error
        case nil:
            throw ProviderError(provider: provider, operation: operation, kind: .auth,
                                message: "no credentials: set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file "
                                    + "or VIDFLOW_VERTEX_ACCESS_TOKEN to an access token",
                                jobCertainlyNotCreated: true)
        }
    }

    /// After the API refused `token` (401): a service-account token is forgotten (the next call exchanges
    /// anew), a given one is benched so another given token, or the service account, is used.
    func refused(_ token: String, fromServiceAccount: Bool) async {
        if fromServiceAccount, case .success(let source)? = serviceAccount {
            await source.invalidate(token)
        } else {
            given.bench(token, for: 300)
        }
    }
}
