import Foundation

/// Turns a stage's file parameter into the path of a regular file the run may read.
///
/// Checked with `stat`, never by opening: opening a FIFO blocks and a device never ends, so both are
/// refused up front. Without a policy (the CLI) any regular file goes, relative paths against the
/// working directory; with one, see `FileAccessPolicy`, and every refusal reads the same.
public enum LocalFile {
    /// The kind of thing a path names, as `stat` (following symbolic links) sees it.
    public enum Kind: Sendable, Equatable {
        case missing, regular, directory, other
    }

    public static func kind(of path: String) -> Kind {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    /// The path of a regular file `text` names (a path or a `file://` URL), or an `invalid_input` failure
    /// naming `parameter`.
    public static func resolve(_ text: String, parameter: String, policy: FileAccessPolicy?) throws -> String {
        guard let policy else { return try unconfined(text, parameter: parameter) }
        for candidate in candidates(text, policy: policy) {
            guard let real = realPath(candidate), policy.allows(real), kind(of: real) == .regular else { continue }
            return real
        }
        throw StageFailure(.invalidInput, FileAccessPolicy.refusal(parameter))
    }

    /// Whether a parameter's `text` may name a local file: not an http(s) or other URL (a `file://` one
    /// is local), nor a `data:` URI.
    public static func mayBeLocal(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return !text.isEmpty && !lowered.hasPrefix("data:") && (!text.contains("://") || lowered.hasPrefix("file://"))
    }

    /// `text` made absolute against the working directory (`~` expanded, `file://` removed), standardized.
    public static func absolute(_ text: String) -> String {
        var path = strippingFileScheme(text)
        if path.hasPrefix("~") { path = NSString(string: path).expandingTildeInPath }
        if !path.hasPrefix("/") { path = FileManager.default.currentDirectoryPath + "/" + path }
        return URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// The path with every symbolic link resolved, or nil when nothing is there.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func unconfined(_ text: String, parameter: String) throws -> String {
        let path = absolute(text)
        switch kind(of: path) {
        case .regular: return path
        case .missing: throw StageFailure(.invalidInput, "\(parameter): no file at '\(text)' (resolved to \(path))")
        case .directory: throw StageFailure(.invalidInput, "\(parameter): '\(text)' is a directory, not a file")
        case .other:
            throw StageFailure(.invalidInput, "\(parameter): '\(text)' is not a regular file (a device, FIFO or socket)")
        }
    }

    /// Where a confined parameter may point: an absolute path as given; a relative one inside the user's
    /// default bucket, then as `bucket/file_path`. Relative paths never climb out (`..`, `~`).
    private static func candidates(_ text: String, policy: FileAccessPolicy) -> [String] {
        let path = strippingFileScheme(text)
        guard !path.isEmpty, !path.contains("\0"), !path.contains("://"), !path.lowercased().hasPrefix("data:") else { return [] }
        if path.hasPrefix("/") { return [path] }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard let root = policy.userRoot, !path.hasPrefix("~"), !parts.isEmpty,
              !parts.contains(where: { $0 == ".." || $0 == "." }) else { return [] }
        let relative = parts.joined(separator: "/")
        return [root + "/default/" + relative, root + "/" + relative]
    }

    private static func strippingFileScheme(_ text: String) -> String {
        if text.lowercased().hasPrefix("file://"), let url = URL(string: text), url.isFileURL { return url.path }
        return text
    }
}
