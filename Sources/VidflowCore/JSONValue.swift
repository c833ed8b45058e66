import Foundation

/// A JSON value: the currency of stage parameters, outputs and workflow inputs.
///
/// ```swift
/// let v: JSONValue = ["seconds": 4, "prompt": "a red fox"]
/// v["seconds"]?.intValue // 4
/// ```
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value) where !value.isFinite: try container.encodeNil()   // as `canonicalJSON` writes it
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue {
    public var stringValue: String? { if case .string(let v) = self { v } else { nil } }
    public var boolValue: Bool? { if case .bool(let v) = self { v } else { nil } }
    public var objectValue: [String: JSONValue]? { if case .object(let v) = self { v } else { nil } }
    public var arrayValue: [JSONValue]? { if case .array(let v) = self { v } else { nil } }
    public var isNull: Bool { self == .null }

    /// An integer, also from a whole double (`4.0`).
    public var intValue: Int? {
        switch self {
        case .int(let v): v
        case .double(let v) where v.rounded() == v && abs(v) < 9e15: Int(v)
        default: nil
        }
    }

    /// A number as `Double`, from an int or a double.
    public var doubleValue: Double? {
        switch self {
        case .int(let v): Double(v)
        case .double(let v): v
        default: nil
        }
    }

    public subscript(key: String) -> JSONValue? { objectValue?[key] }

    /// The name of this value's JSON type, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .int: "int"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// The value as text for string interpolation: strings bare, everything else as compact JSON.
    public var interpolated: String {
        switch self {
        case .string(let v): v
        case .null: ""
        case .bool(let v): v ? "true" : "false"
        case .int(let v): String(v)
        case .double(let v): v.rounded() == v && abs(v) < 1e15 ? String(Int(v)) : String(v)
        default: canonicalJSON
        }
    }

    /// Compact JSON with sorted keys: the same value always gives the same bytes (used for cache keys).
    public var canonicalJSON: String { JSONValueWriter.write(self) }

    /// Parses JSON text into a value.
    public static func parse(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    /// Converts what a YAML or JSON parser produced (`Any`) into a value; dates become ISO-8601 strings.
    public init(any value: Any?) {
        switch value {
        case nil, is NSNull: self = .null
        case let v as Bool: self = .bool(v)
        case let v as Int: self = .int(v)
        case let v as Double: self = v.isFinite ? .double(v) : .string(String(v))
        case let v as String: self = .string(v)
        case let v as Date: self = .string(ISO8601DateFormatter().string(from: v))
        case let v as [Any]: self = .array(v.map { JSONValue(any: $0) })
        case let v as [String: Any]: self = .object(v.mapValues { JSONValue(any: $0) })
        case let v as [AnyHashable: Any]:
            self = .object(Dictionary(v.map { ("\($0.key)", JSONValue(any: $0.value)) }, uniquingKeysWith: { a, _ in a }))
        default: self = .string("\(value.map { "\($0)" } ?? "")")
        }
    }
}

extension Dictionary where Key == String, Value == JSONValue {
    /// Compact sorted-key JSON of an object.
    public var canonicalJSON: String { JSONValue.object(self).canonicalJSON }
}
