import Foundation
import Hummingbird

/// The per-user storage quota (`vidflow serve --user-quota`): what a user's storage holds, what an
/// upload may still add, and the 507 past it.
///
/// Usage is measured on disk under the user's root, temp files of uploads in flight included, so
/// concurrent uploads see each other's bytes as they arrive.
///
/// ```swift
/// let left = try StorageQuota(limit: 10 << 30).left(in: storage, contentLength: 4096, field: "file")
/// ```
struct StorageQuota: Sendable {
    /// Bytes a user may store; nil: no quota.
    let limit: Int?

    /// 507 Insufficient Storage (WebDAV's status for a quota), not in HTTPTypes' named statuses.
    static let insufficientStorage = HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")

    /// Bytes of regular files under `root` (symbolic links are not followed); 0 when it does not exist.
    /// A run's shared files (`share/workflows/…`) that are hard links to its artifacts take no space of
    /// their own and are not counted (a copy made where no link could be is).
    static func used(under root: String) -> Int {
        let url = URL(fileURLWithPath: root)
        let keys: [URLResourceKey] = [.isRegularFileKey, .fileAllocatedSizeKey, .fileSizeKey]
        guard let walker = FileManager.default.enumerator(at: url, includingPropertiesForKeys: keys) else { return 0 }
        var total = 0
        for case let file as URL in walker {
            guard let values = try? file.resourceValues(forKeys: Set(keys)), values.isRegularFile == true else { continue }
            if file.path.contains("/share/workflows/"), isHardLink(file.path) { continue }
            total += values.fileSize ?? values.fileAllocatedSize ?? 0
        }
        return total
    }

    private static func isHardLink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_nlink > 1
    }

    /// The bytes `storage` may still take (nil: no quota). Throws the 507 at once when the user is already
    /// at the quota, or when the declared `contentLength` (less a margin for text parts) cannot fit.
    func left(in storage: UserStorage, contentLength: Int?, field: String) throws -> Int? {
        guard let limit else { return nil }
        let used = Self.used(under: storage.root)
        let left = limit - used
        if left <= 0 { throw exceeded(field: field, used: used, adding: nil) }
        if let contentLength, contentLength - 64 * 1024 > left {
            throw exceeded(field: field, used: used, adding: contentLength)
        }
        return left
    }

    /// The 507 naming `field`, the quota and (when known) the usage and the size refused.
    func exceeded(field: String, used: Int?, adding: Int?) -> APIError {
        var message = "storage quota exceeded: the quota is \(Self.text(limit ?? 0))"
        if let used { message += ", \(Self.text(used)) already used" }
        if let adding { message += ", this upload adds \(Self.text(adding))" }
        message += "; delete files (DELETE /v1/files/directories) to make room"
        return APIError(Self.insufficientStorage, code: "quota_exceeded", message, field: field)
    }

    /// `10.0 GB`, `512.0 MB`, `900 bytes`.
    static func text(_ bytes: Int) -> String {
        let units: [(Int, String)] = [(1 << 40, "TB"), (1 << 30, "GB"), (1 << 20, "MB"), (1 << 10, "KB")]
        for (size, name) in units where bytes >= size {
            return String(format: "%.1f", Double(bytes) / Double(size)) + " " + name
        }
        return "\(bytes) bytes"
    }
}
