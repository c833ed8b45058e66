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
        if let token = Self.token(of: request), let user = try await store.user(tokenSHA256: AccessTokens.hash(token)) {
            context.user = user
        } else if !Self.publicPaths.contains(request.uri.path) && !request.uri.path.hasPrefix("/v1/callbacks/") {
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
