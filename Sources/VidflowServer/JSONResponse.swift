import Foundation
import Hummingbird
import VidflowCore

/// Builds JSON responses from `JSONValue`s, and the timestamps they carry.
enum JSONResponse {
    static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: value.canonicalJSON)))
    }

    /// ISO 8601 with fractional seconds, UTC; null for nil.
    static func time(_ date: Date?) -> JSONValue {
        guard let date else { return .null }
        return .string(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }

    static func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
}
