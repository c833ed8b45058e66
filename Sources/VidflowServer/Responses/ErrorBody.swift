import Hummingbird

/// The body of every error answer, whatever its status: `{"error": {"code", "message", "field"?, "request_id"?}}`.
struct ErrorBody: ResponseEncodable, Sendable {
    var error: Detail

    /// A stable code, a sentence for people, the request field at fault and the request's id.
    struct Detail: Encodable, Sendable {
        var code: String
        var message: String
        var field: String?
        var requestID: String?
    }
}
