import Foundation

/// A user's file area under `<data>/files/<user id>`; every path is checked to stay inside it.
struct UserStorage: Sendable {
    let root: String

    init(dataDirectory: String, userID: String) {
        root = dataDirectory + "/files/" + userID
    }

    /// The checked relative components of `path`: no `..`, `.`, absolute paths, backslashes, NULs or
    /// encoded variants of them (decoded until stable), and no symlink on the way.
    func components(_ path: String, field: String) throws -> [String] {
        var decoded = path
        for _ in 0..<4 {
            guard let next = decoded.removingPercentEncoding, next != decoded else { break }
            decoded = next
        }
        if let next = decoded.removingPercentEncoding, next != decoded {
            throw Self.bad(field, "too many levels of percent-encoding")
        }
        guard !decoded.isEmpty, !decoded.hasPrefix("/"), !decoded.hasPrefix("~"), !decoded.contains("\\"),
              !decoded.contains("\0") else {
            throw Self.bad(field, "must be a relative path inside your storage")
        }
        let parts = decoded.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard !parts.isEmpty, !parts.contains(where: { $0 == ".." || $0 == "." }) else {
            throw Self.bad(field, "must not contain '.' or '..' components")
        }
        var current = root
        for part in parts {
            current += "/" + part
            if let type = try? FileManager.default.attributesOfItem(atPath: current)[.type] as? FileAttributeType,
               type == .typeSymbolicLink {
                throw Self.bad(field, "must not pass through a symbolic link")
            }
        }
        return parts
    }

    /// The absolute path of checked components.
    func absolute(_ components: [String]) -> String {
        ([root] + components).joined(separator: "/")
    }

    static func bad(_ field: String, _ message: String) -> APIError {
        APIError.badRequest(message, field: field, code: "invalid_path")
    }

    /// Content type by file extension.
    static func contentType(of path: String) -> String {
        let types = ["mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm", "png": "image/png",
                     "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp", "gif": "image/gif",
                     "json": "application/json", "txt": "text/plain; charset=utf-8", "yaml": "application/yaml",
                     "yml": "application/yaml", "mp3": "audio/mpeg", "wav": "audio/wav",
                     "srt": "application/x-subrip; charset=utf-8", "vtt": "text/vtt; charset=utf-8", "flac": "audio/flac",
                     "m4a": "audio/mp4", "mkv": "video/x-matroska"]
        return types[(path as NSString).pathExtension.lowercased()] ?? "application/octet-stream"
    }
}
