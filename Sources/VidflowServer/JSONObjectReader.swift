import Foundation
import Hummingbird
import VidflowCore

/// Reads a JSON request object field by field: wrong types and unknown fields become 400s naming the field.
struct JSONObjectReader {
    let object: [String: JSONValue]
    /// The path of this object in the request (`""` for the body itself).
    let path: String

    init(_ value: JSONValue, path: String = "") throws {
        guard let object = value.objectValue else {
            throw APIError.badRequest("expected a JSON object, found \(value.typeName)", field: path.isEmpty ? "(body)" : path)
        }
        self.object = object
        self.path = path
    }

    /// The request body parsed as a JSON object, at most `limit` bytes.
    static func body(of request: Request, limit: Int) async throws -> JSONObjectReader {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            throw APIError.tooLarge(limit)
        }
        guard buffer.readableBytes > 0 else { throw APIError.badRequest("a JSON body is required", field: "(body)") }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(buffer.readableBytesView))
        } catch {
            throw APIError.badRequest("malformed JSON: \(Self.reason(error))", field: "(body)", code: "malformed_json")
        }
        return try JSONObjectReader(value)
    }

    private static func reason(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            return context.underlyingError.map { "\($0.localizedDescription)" } ?? context.debugDescription
        }
        return "\(error)"
    }

    func field(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// 400 for the first key (sorted) not in `allowed`.
    func rejectUnknown(_ allowed: Set<String>) throws {
        if let key = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIError.badRequest("unknown field '\(key)'", field: field(key), code: "unknown_field")
        }
    }

    func value(_ key: String) -> JSONValue? {
        guard let value = object[key], !value.isNull else { return nil }
        return value
    }

    private func typeError(_ key: String, _ expected: String, _ found: JSONValue) -> APIError {
        APIError.badRequest("expected \(expected), found \(found.typeName)", field: field(key), code: "invalid_type")
    }

    func string(_ key: String) throws -> String? {
        guard let value = value(key) else { return nil }
        guard let text = value.stringValue else { throw typeError(key, "a string", value) }
        return text
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = value(key) else { return nil }
        guard let flag = value.boolValue else { throw typeError(key, "a boolean", value) }
        return flag
    }

    func int(_ key: String) throws -> Int? {
        guard let value = value(key) else { return nil }
        guard let number = value.intValue else { throw typeError(key, "an integer", value) }
        return number
    }

    func number(_ key: String) throws -> Double? {
        guard let value = value(key) else { return nil }
        guard let number = value.doubleValue else { throw typeError(key, "a number", value) }
        return number
    }

    func object(_ key: String) throws -> [String: JSONValue]? {
        guard let value = value(key) else { return nil }
        guard let object = value.objectValue else { throw typeError(key, "an object", value) }
        return object
    }

    func array(_ key: String) throws -> [JSONValue]? {
        guard let value = value(key) else { return nil }
        guard let array = value.arrayValue else { throw typeError(key, "an array", value) }
        return array
    }

    /// A string that must be one of an enum's raw values.
    func choice<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type) throws -> T? where T.RawValue == String {
        guard let text = try string(key) else { return nil }
        guard let choice = T(rawValue: text) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw APIError.badRequest("'\(text)' is not one of: \(allowed)", field: field(key), code: "invalid_value")
        }
        return choice
    }
}
