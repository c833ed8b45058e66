import Foundation
import VidflowCore

/// A local image read for a provider request: bytes, MIME type, and the encodings APIs ask for.
public struct MediaInput: Sendable {
    public var path: String
    public var data: Data
    public var mimeType: String

    /// Reads `path`; a missing or unreadable file is an `invalid_input` error (nothing was sent).
    public static func read(_ path: String, provider: String, field: String) throws(ProviderError) -> MediaInput {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProviderError(provider: provider, operation: "read \(field)", kind: .invalidInput,
                                message: "cannot read \(field) '\(path)'", jobCertainlyNotCreated: true)
        }
        return MediaInput(path: path, data: data, mimeType: mimeType(of: data, path: path))
    }

    public var filename: String { (path as NSString).lastPathComponent }
    public var base64: String { data.base64EncodedString() }
    /// `data:image/jpeg;base64,…`
    public var dataURI: String { "data:\(mimeType);base64,\(base64)" }

    /// The MIME type from the file's magic bytes, else from its extension.
    public static func mimeType(of data: Data, path: String) -> String {
        let bytes = [UInt8](data.prefix(12))
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "image/png" }
        if bytes.count >= 12, bytes[0...3] == [0x52, 0x49, 0x46, 0x46], bytes[8...11] == [0x57, 0x45, 0x42, 0x50] {
            return "image/webp"
        }
        if bytes.starts(with: [0x47, 0x49, 0x46]) { return "image/gif" }
        switch (path as NSString).pathExtension.lowercased() {
        case "png": return "image/png"
        case "webp": return "image/webp"
        case "mp4": return "video/mp4"
        default: return "image/jpeg"
        }
    }
}

/// Removes what must not be recorded from a provider request: inline media bytes (data URIs, long
/// base64) become a short note, and fields named like secrets are masked.
public enum WireRedaction {
    public static func redact(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text):
            if text.hasPrefix("data:"), let comma = text.firstIndex(of: ",") {
                return .string("\(text[..<comma]),<\(text.distance(from: comma, to: text.endIndex) - 1) base64 chars>")
            }
            if text.count > 512, text.allSatisfy({ $0.isLetter || $0.isNumber || "+/=".contains($0) }) {
                return .string("<\(text.count) base64 chars>")
            }
            return .string(maskingQuerySecrets(text))
        case .array(let items):
            return .array(items.map(redact))
        case .object(let object):
            var copy: [String: JSONValue] = [:]
            for (key, item) in object {
                let lowered = key.lowercased()
                let secret = ["api_key", "apikey", "secret", "token", "authorization", "password"].contains { lowered.contains($0) }
                copy[key] = secret && item.stringValue != nil ? .string("****") : redact(item)
            }
            return .object(copy)
        default:
            return value
        }
    }

    /// `https://x/cb?token=abc&kind=t` → `https://x/cb?token=****&kind=t` (callback URLs carry vidflow's token).
    static func maskingQuerySecrets(_ text: String) -> String {
        guard text.hasPrefix("http"), text.contains("?") else { return text }
        var result = text
        for name in ["token", "key", "secret", "signature", "sig"] {
            for separator in ["?", "&"] {
                var searchStart = result.startIndex
                while let range = result.range(of: separator + name + "=", range: searchStart..<result.endIndex) {
                    let valueEnd = result[range.upperBound...].firstIndex(of: "&") ?? result.endIndex
                    result.replaceSubrange(range.upperBound..<valueEnd, with: "****")
                    searchStart = result.index(range.upperBound, offsetBy: 4, limitedBy: result.endIndex) ?? result.endIndex
                }
            }
        }
        return result
    }
}
