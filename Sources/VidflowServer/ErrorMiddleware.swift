import Hummingbird
import Logging
import VidflowCore

/// Renders every error that is not already an `APIError` in the API's JSON shape; internals stay in the log.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            let code = error.status == .notFound ? "not_found" : (error.status == .contentTooLarge ? "too_large" : "http_error")
            let message = error.status == .notFound ? "no route for \(request.method.rawValue) \(request.uri.path)"
                : (error.body ?? error.status.reasonPhrase)
            throw APIError(error.status, code: code, message)
        } catch is CancellationError {
            throw APIError(.serviceUnavailable, code: "shutting_down", "the server is shutting down")
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            throw APIError(.internalServerError, code: "internal", "internal error")
        }
    }
}
