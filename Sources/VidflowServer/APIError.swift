import Hummingbird
import VidflowCore

/// The one error type of the API: renders `{"error":{"code","message","field"?,"request_id"}}` with its status.
public struct APIError: HTTPResponseError, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var field: String?
    /// Headers the answer carries besides the body's (`Content-Range: bytes */SIZE` on a 416).
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, _ message: String, field: String? = nil,
                headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let requestID = (context as? ServerRequestContext)?.requestID
        var response = try ErrorBody(error: .init(code: code, message: message, field: field, requestID: requestID))
            .response(status, from: request, context: context)
        for field in headers { response.headers.append(field) }
        return response
    }

    static func badRequest(_ message: String, field: String? = nil, code: String = "invalid_request") -> APIError {
        APIError(.badRequest, code: code, message, field: field)
    }

    static func notFound(_ message: String, field: String? = nil) -> APIError {
        APIError(.notFound, code: "not_found", message, field: field)
    }

    static func conflict(_ message: String, field: String? = nil) -> APIError {
        APIError(.conflict, code: "conflict", message, field: field)
    }

    static let unauthorized = APIError(.unauthorized, code: "unauthorized",
                                       "a valid bearer token is required (Authorization: Bearer <token>)")

    static func tooLarge(_ limit: Int, field: String = "(body)") -> APIError {
        APIError(.contentTooLarge, code: "too_large", "the body exceeds the limit of \(limit) bytes", field: field)
    }
}
