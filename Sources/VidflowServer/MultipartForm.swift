import Foundation

/// Helpers for `multipart/form-data` bodies (read as they arrive by `MultipartStreamReader`): the boundary
/// of a content type, the file name a part may give, the 400 of a malformed body.
enum MultipartForm {
    /// The boundary of a `multipart/form-data` content type, nil for any other type.
    static func boundary(contentType: String?) -> String? {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                let boundary = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                return boundary.isEmpty ? nil : boundary
            }
        }
        return nil
    }

    /// The last component of a part's file name (RFC 7578 §4.2: a sent directory is never used), without
    /// control characters; nil when nothing usable is left (`..`, `.`, a trailing separator).
    static func fileName(_ sent: String) -> String? {
        let last = sent.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let clean = String(String.UnicodeScalarView(last.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
        return ["", ".", ".."].contains(clean) || sent.hasSuffix("/") || sent.hasSuffix("\\") ? nil : clean
    }

    static func malformed(_ reason: String) -> APIError {
        APIError.badRequest("malformed multipart body: \(reason)", field: "(body)", code: "malformed_multipart")
    }
}
