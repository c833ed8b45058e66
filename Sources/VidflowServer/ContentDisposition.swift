import Foundation

/// A `Content-Disposition` value (RFC 6266, RFC 7578): read from a multipart part's header, written on downloads.
///
/// Parameters may be quoted (`name="a; b"`, with `\"` inside) or bare tokens (`name=file`); `filename*`
/// (RFC 5987, `UTF-8''caf%C3%A9.png`) is percent-decoded and wins over `filename`.
///
/// ```swift
/// let disposition = ContentDisposition(parsing: #"form-data; name="file"; filename*=UTF-8''a%20b.png"#)
/// disposition.name        // "file"
/// disposition.filename    // "a b.png"
/// ContentDisposition.attachment(filename: "café.mp4")
/// // attachment; filename="caf_.mp4"; filename*=UTF-8''caf%C3%A9.mp4
/// ```
struct ContentDisposition: Sendable, Equatable {
    /// `form-data`, `attachment`, … (lowercased).
    var type: String
    /// Parameters by lowercased name, values unquoted (`filename*` still encoded).
    var parameters: [String: String]

    /// The part's field name.
    var name: String? { parameters["name"] }

    /// The file name as sent: `filename*` decoded when it can be, else `filename`; nil when neither is there.
    var filename: String? {
        parameters["filename*"].flatMap(Self.decodeExtended) ?? parameters["filename"]
    }

    init(parsing value: String) {
        var scanner = Substring(value)
        type = Self.token(&scanner).lowercased()
        parameters = [:]
        while !scanner.isEmpty {
            scanner = scanner.drop { $0 == ";" || $0 == " " || $0 == "\t" }
            let key = Self.token(&scanner).lowercased()
            guard scanner.first == "=" else {
                scanner = scanner.drop { $0 != ";" }
                continue
            }
            scanner = scanner.dropFirst().drop { $0 == " " || $0 == "\t" }
            let value = scanner.first == "\"" ? Self.quoted(&scanner) : Self.bare(&scanner)
            if !key.isEmpty, parameters[key] == nil { parameters[key] = value }
        }
    }

    /// The text up to `=` or `;`, trimmed.
    private static func token(_ scanner: inout Substring) -> String {
        let end = scanner.firstIndex { $0 == "=" || $0 == ";" } ?? scanner.endIndex
        defer { scanner = scanner[end...] }
        return scanner[..<end].trimmingCharacters(in: .whitespaces)
    }

    /// A bare value: the text up to `;`, trimmed.
    private static func bare(_ scanner: inout Substring) -> String {
        let end = scanner.firstIndex(of: ";") ?? scanner.endIndex
        defer { scanner = scanner[end...] }
        return scanner[..<end].trimmingCharacters(in: .whitespaces)
    }

    /// A quoted string: `\"` and `\\` are escapes, any other backslash is kept (Windows paths sent as they are).
    private static func quoted(_ scanner: inout Substring) -> String {
        var text = ""
        var index = scanner.index(after: scanner.startIndex)
        while index < scanner.endIndex, scanner[index] != "\"" {
            let next = scanner.index(after: index)
            if scanner[index] == "\\", next < scanner.endIndex, scanner[next] == "\"" || scanner[next] == "\\" {
                text.append(scanner[next])
                index = scanner.index(after: next)
            } else {
                text.append(scanner[index])
                index = next
            }
        }
        scanner = index < scanner.endIndex ? scanner[scanner.index(after: index)...] : scanner[scanner.endIndex...]
        return text
    }

    /// An RFC 5987 value `charset'language'percent-encoded` in UTF-8 or ISO-8859-1; nil when it is not one.
    static func decodeExtended(_ value: String) -> String? {
        let pieces = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3 else { return nil }
        var bytes: [UInt8] = []
        var utf8 = Array(pieces[2].utf8)[...]
        while let byte = utf8.popFirst() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard utf8.count >= 2, let high = utf8.popFirst(), let low = utf8.popFirst(),
                  let decoded = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(decoded)
        }
        switch pieces[0].lowercased() {
        case "utf-8": return String(validating: bytes, as: UTF8.self)
        case "iso-8859-1": return String(bytes.map { Character(Unicode.Scalar($0)) })
        default: return nil
        }
    }

    /// `attachment; filename="…"; filename*=UTF-8''…`: an ASCII fallback (anything else, quotes, backslashes and
    /// control characters as `_`) for old clients, and the exact UTF-8 name for the rest.
    static func attachment(filename: String) -> String {
        let fallback = String(filename.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && scalar.value >= 0x20 && scalar.value != 0x7F && scalar != "\"" && scalar != "\\"
                ? Character(scalar) : "_"
        })
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~")
        let encoded = filename.addingPercentEncoding(withAllowedCharacters: unreserved) ?? fallback
        return "attachment; filename=\"\(fallback)\"; filename*=UTF-8''\(encoded)"
    }
}
