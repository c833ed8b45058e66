import Foundation

/// Which local files the stages of one run may read; stored with the run, so confinement survives a restart.
///
/// A run without a policy (the CLI's runs) may read any file the process can read. Runs created over
/// HTTP carry one: relative paths resolve inside the user's storage, absolute paths (after resolving
/// symbolic links) must lie under an allowed root or be one of the operator's trusted files.
///
/// ```swift
/// let policy = FileAccessPolicy(userRoot: "/data/files/u1", allowedRoots: ["/data/files/u1", "/data/artifacts"],
///                               trustedFiles: ["/srv/vidflow/share/samples/sample.jpg"], hiddenPrefixes: ["/data"])
/// let path = try LocalFile.resolve("default/clip.mp4", parameter: "input", policy: policy)
/// ```
public struct FileAccessPolicy: Sendable, Hashable, Codable {
    /// The user's storage (`<data>/files/<user id>`): a relative path names `<userRoot>/default/<path>`
    /// (a `file_path` as the upload answered it) or else `<userRoot>/<bucket>/<file_path>`.
    public var userRoot: String?
    /// Directories (already free of symbolic links) whose files may be read.
    public var allowedRoots: [String]
    /// Exact files outside the roots that may be read: defaults written in the operator's own workflows.
    public var trustedFiles: [String]
    /// Path prefixes (the data directory, the server's directory) removed from messages a user sees.
    public var hiddenPrefixes: [String]

    public init(userRoot: String?, allowedRoots: [String], trustedFiles: [String] = [], hiddenPrefixes: [String] = []) {
        self.userRoot = userRoot
        self.allowedRoots = allowedRoots
        self.trustedFiles = trustedFiles
        self.hiddenPrefixes = hiddenPrefixes
    }

    /// The one refusal every confined parameter gets, whether the file exists or not (no existence oracle).
    public static func refusal(_ parameter: String) -> String {
        "'\(parameter)': not a file you can use: give a file_path you uploaded, an artifact of your runs, or an http(s) URL"
    }

    /// Whether `realPath` (free of symbolic links) may be read.
    public func allows(_ realPath: String) -> Bool {
        trustedFiles.contains(realPath) || allowedRoots.contains { root in
            let prefix = root.hasSuffix("/") ? root : root + "/"
            return realPath.hasPrefix(prefix)
        }
    }

    /// `text` without the hidden prefixes: `/data/files/u1/default/a.jpg` → `default/a.jpg`,
    /// `/data/artifacts/ab/abc.mp4` → `artifacts/ab/abc.mp4`; `file://` in front of them goes too.
    public func scrub(_ text: String) -> String {
        var result = text
        for prefix in hiddenPrefixes.sorted(by: { $0.count > $1.count }) where !prefix.isEmpty {
            let directory = prefix.hasSuffix("/") ? prefix : prefix + "/"
            result = result.replacingOccurrences(of: "file://" + directory, with: "")
            result = result.replacingOccurrences(of: directory, with: "")
        }
        return result
    }
}
