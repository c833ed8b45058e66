import Hummingbird
import VidflowStore

/// The request context of every route: the authenticated user, once `AuthMiddleware` has run.
public struct ServerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var user: ServerUser?

    public init(source: Source) {
        coreContext = .init(source: source)
        user = nil
    }

    /// Bodies are read by the handlers themselves, each against its own limit.
    public var maxUploadSize: Int { 1024 * 1024 }

    /// The authenticated user; 401 when there is none.
    func requireUser() throws -> ServerUser {
        guard let user else { throw APIError.unauthorized }
        return user
    }
}
