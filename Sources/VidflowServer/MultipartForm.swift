import Foundation

/// A parsed `multipart/form-data` body: its parts by field name.
struct MultipartForm: Sendable {
    /// One part: a text field or a file.
    struct Part: Sendable {
        var name: String
        var filename: String?
        var contentType: String?
        var data: Data
        var text: String? { String(data: data, encoding: .utf8) }
    }

    var parts: [Part]

    func part(_ name: String) -> Part? { parts.first { $0.name == name } }

    /// The boundary of a `multipart/form-data` content type, nil for any other type.
    static func boundary(contentType: String?) -> String? {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }

    /// Parses `body`; throws a 400 naming `(body)` when it is not well-formed.
    init(body: Data, boundary: String) throws {
        let delimiter = Data("--\(boundary)".utf8)
        let separator = Data("\r\n\r\n".utf8)
        var parts: [Part] = []
        guard var cursor = body.range(of: delimiter)?.upperBound else { throw Self.malformed("no boundary found") }
        while true {
            guard cursor + 2 <= body.endIndex else { throw Self.malformed("truncated body") }
            if body[cursor] == UInt8(ascii: "-") && body[cursor + 1] == UInt8(ascii: "-") { break }
            guard let headerEnd = body.range(of: separator, in: cursor..<body.endIndex) else { throw Self.malformed("part without headers") }
            let headers = String(decoding: body[cursor..<headerEnd.lowerBound], as: UTF8.self)
            guard let next = body.range(of: Data("\r\n".utf8) + delimiter, in: headerEnd.upperBound..<body.endIndex) else {
                throw Self.malformed("part without closing boundary")
            }
            let data = body.subdata(in: headerEnd.upperBound..<next.lowerBound)
            if let part = Self.part(headers: headers, data: data) { parts.append(part) }
            cursor = next.upperBound
        }
        self.parts = parts
    }

    private static func part(headers: String, data: Data) -> Part? {
        let header = header(headers)
        guard let name = header.name else { return nil }
        return Part(name: name, filename: header.filename, contentType: header.contentType, data: data)
    }

    /// The name, filename and content type in a part's header block.
    static func header(_ headers: String) -> (name: String?, filename: String?, contentType: String?) {
        var name: String?
        var filename: String?
        var contentType: String?
        for line in headers.components(separatedBy: "\r\n") {
            let lower = line.lowercased()
            if lower.hasPrefix("content-disposition:") {
                name = parameter("name", in: line)
                filename = parameter("filename", in: line)
            } else if lower.hasPrefix("content-type:") {
                contentType = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces)
            }
        }
        return (name, filename, contentType)
    }

    private static func parameter(_ key: String, in line: String) -> String? {
        for piece in line.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == key {
                return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }

    static func malformed(_ reason: String) -> APIError {
        APIError.badRequest("malformed multipart body: \(reason)", field: "(body)", code: "malformed_multipart")
    }
}
