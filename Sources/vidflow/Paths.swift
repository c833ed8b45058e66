import Foundation

/// Path helpers: relative paths are taken against the current directory.
enum Paths {
    /// `path` made absolute against the current directory and standardized (`.`/`..` removed).
    static func absolute(_ path: String) -> String {
        let expanded = NSString(string: path).expandingTildeInPath
        let base = expanded.hasPrefix("/") ? expanded : FileManager.default.currentDirectoryPath + "/" + expanded
        return URL(fileURLWithPath: base).standardizedFileURL.path
    }

    /// Whether `text` names a local file path rather than a URL or inline data.
    static func isLocalPath(_ text: String) -> Bool {
        !text.isEmpty && !text.contains("://") && !text.hasPrefix("data:")
    }

    /// Whether a regular file exists at `path`.
    static func isFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}
