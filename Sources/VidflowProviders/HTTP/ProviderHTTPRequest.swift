import Foundation
import VidflowCore

/// One call to a provider's HTTP API, before authentication is added.
public struct ProviderHTTPRequest: Sendable {
    /// What is sent as the body.
    public enum Body: Sendable {
        case none
        case json(JSONValue)
        case multipart(MultipartBody)
        case raw(Data, contentType: String)
    }

    public var method: String
    /// A path appended to the provider's base URL, or an absolute `http(s)://` URL.
    public var path: String
    public var query: [(String, String)]
    public var headers: [(String, String)]
    public var body: Body
    /// What is being done, for error messages: `submit`, `status of job abc`.
    public var operation: String
    /// A paid create: never repeated by the client once it may have reached the provider.
    public var isCreate: Bool

    public init(_ method: String, _ path: String, query: [(String, String)] = [], headers: [(String, String)] = [],
                body: Body = .none, operation: String, isCreate: Bool = false) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.operation = operation
        self.isCreate = isCreate
    }
}

/// A provider's answer: status, headers (lower-cased names) and the whole body.
public struct ProviderHTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as JSON, or nil when it is not JSON.
    public var jsonIfAny: JSONValue? { try? JSONValue.parse(text) }
}

/// A `multipart/form-data` body built in memory (requests carry at most a reference image).
public struct MultipartBody: Sendable {
    public let boundary: String
    private(set) var parts: [(name: String, filename: String?, contentType: String?, data: Data)] = []

    public init(boundary: String = "vidflow-" + UUID().uuidString) {
        self.boundary = boundary
    }

    public mutating func add(_ name: String, _ value: String) {
        parts.append((name, nil, nil, Data(value.utf8)))
    }

    public mutating func addFile(_ name: String, filename: String, contentType: String, data: Data) {
        parts.append((name, filename, contentType, data))
    }

    public var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    /// The field names in order, with file names for file parts (what is recorded on the attempt).
    public var summary: JSONValue {
        var object: [String: JSONValue] = [:]
        for part in parts {
            object[part.name] = part.filename.map { .string("<file \($0), \(part.data.count) bytes>") }
                ?? .string(String(decoding: part.data, as: UTF8.self))
        }
        return .object(object)
    }

    public var encoded: Data {
        var data = Data()
        for part in parts {
            var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part.name)\""
            if let filename = part.filename { head += "; filename=\"\(filename)\"" }
            head += "\r\n"
            if let type = part.contentType { head += "Content-Type: \(type)\r\n" }
            data.append(Data((head + "\r\n").utf8))
            data.append(part.data)
            data.append(Data("\r\n".utf8))
        }
        data.append(Data("--\(boundary)--\r\n".utf8))
        return data
    }
}
