import Hummingbird
import VidflowStore

/// The request context of every route: the authenticated user, once `AuthMiddleware` has run.
public struct ServerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var user: ServerUser? {
        didSet { trace.userID = user?.id }
    }
    /// The request id and the user, for the request log line (`RequestObserver` sets it first).
    var trace = RequestTrace()

    /// The request's id: the client's `X-Request-ID` when well-formed, else made up; echoed in the
    /// response's `X-Request-ID` header and in error bodies.
    public var requestID: String { trace.requestID }

    public init(source: Source) {
        coreContext = .init(source: source)
        user = nil
    }

    /// Bodies are read by the handlers themselves, each against its own limit.
    public var maxUploadSize: Int { 1024 * 1024 }

    /// Every typed answer (`ResponseEncodable`) is written by the API's one encoder.
    public var responseEncoder: APIResponseEncoder { APIResponseEncoder() }

    /// The authenticated user; 401 when there is none.
    func requireUser() throws -> ServerUser {
        guard let user else { throw APIError.unauthorized }
        return user
    }
}
