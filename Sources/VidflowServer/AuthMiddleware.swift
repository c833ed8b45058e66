import Foundation
import Hummingbird
import VidflowStore

/// Resolves the bearer token (header, or `?token=` for browsers and EventSource) to a user; 401 otherwise.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext

    static let publicPaths: Set<String> = ["/", "/api/v1/monitoring/health", "/openapi.yaml"]

    let store: SQLiteWorkflowStore
    /// With auth off, every request acts as this user.
    let localUser: ServerUser?

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let localUser {
            context.user = localUser
            return try await next(request, context)
        }
        let isPublic = Self.publicPaths.contains(request.uri.path) || request.uri.path.hasPrefix("/v1/callbacks/")
            || request.uri.path == "/docs" || request.uri.path.hasPrefix("/docs/")
        if let token = Self.token(of: request), let record = try await store.token(sha256: AccessTokens.hash(token)) {
            // Expiry and revocation are read on every request, so `vidflow token revoke` applies at once.
            let now = Date()
            switch record.state(at: now) {
            case .active:
                context.user = record.user
                try await store.noteTokenUse(id: record.id, lastUsedAt: record.lastUsedAt, now: now)
            case .expired where !isPublic:
                throw APIError(.unauthorized, code: "token_expired", "the token \(record.id) has expired; ask for a new one")
            case .revoked where !isPublic:
                throw APIError(.unauthorized, code: "token_revoked", "the token \(record.id) was revoked; ask for a new one")
            case .expired, .revoked:
                break
            }
        } else if !isPublic {
            throw APIError.unauthorized
        }
        return try await next(request, context)
    }

    static func token(of request: Request) -> String? {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return String(parts[1]).trimmingCharacters(in: .whitespaces) }
            return nil
        }
        return request.uri.queryParameters["token"].map(String.init)
    }
}
