import Foundation
import VidflowCore

/// Decodes `data:[<mime>][;base64],<payload>` URIs (RFC 2397).
enum DataURI {
    static func decode(_ uri: String) throws -> Data {
        guard uri.lowercased().hasPrefix("data:"), let comma = uri.firstIndex(of: ",") else {
            throw StageFailure(.invalidInput, "malformed data URI: no ',' after the media type")
        }
        let header = uri[uri.index(uri.startIndex, offsetBy: 5)..<comma].lowercased()
        let payload = String(uri[uri.index(after: comma)...])
        if header.hasSuffix(";base64") {
            let compact = payload.filter { !$0.isWhitespace }
            guard let data = Data(base64Encoded: compact, options: .ignoreUnknownCharacters) else {
                throw StageFailure(.invalidInput, "malformed data URI: the payload is not valid base64")
            }
            return data
        }
        guard let text = payload.removingPercentEncoding else {
            throw StageFailure(.invalidInput, "malformed data URI: bad percent-encoding")
        }
        return Data(text.utf8)
    }
}
