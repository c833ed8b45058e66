import Foundation
import Hummingbird

/// The one encoder of the API's JSON answers (`ServerRequestContext.responseEncoder`): every
/// `ResponseEncodable` body goes through it, so keys and dates follow one convention everywhere.
///
/// Keys are the Swift property names in snake_case (`workflowID` → `workflow_id`), sorted; dates are
/// ISO 8601 in UTC with milliseconds (`2026-12-03T17:58:45.120Z`); `/` is not escaped; the Content-Type
/// is `application/json`. Free-form values (`JSONValue`) keep their own keys.
///
/// ```swift
/// struct WorkflowCancellation: ResponseEncodable { var workflowID: String }
/// // {"workflow_id":"run_…"}
/// ```
public struct APIResponseEncoder: ResponseEncoder {
    public init() {}

    public func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: try Self.json(value))))
    }

    /// The JSON bytes of `value` under the API's conventions.
    static func json(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(JSONResponse.timestamp(date))
        }
        return try encoder.encode(value)
    }
}

extension ResponseEncodable {
    /// This value as the response body, with `status` (`.accepted`, `.created`…) instead of 200.
    func response(_ status: HTTPResponse.Status, from request: Request, context: some RequestContext) throws -> Response {
        var response = try response(from: request, context: context)
        response.status = status
        return response
    }
}
