import Foundation
import VidflowCore

/// Content-addressed files under `<data dir>/artifacts/<aa>/<sha256>.<ext>`, with a scratch area beside.
public struct FileArtifactStore: ArtifactStore {
    public let root: String

    public init(root: String) throws {
        self.root = root
        for dir in ["artifacts", "tmp"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(dir)", withIntermediateDirectories: true)
        }
    }

    public func scratchPath(extension ext: String) -> String {
        let name = UUID().uuidString.lowercased()
        return "\(root)/tmp/\(name)" + (ext.isEmpty ? "" : ".\(ext)")
    }

    public func importFile(at path: String, mime: String?, move: Bool) throws -> ArtifactRef {
        let (hash, size) = try Self.sha256(ofFile: path)
        let ext = (path as NSString).pathExtension
        let dir = "\(root)/artifacts/\(hash.prefix(2))"
        let target = "\(dir)/\(hash)" + (ext.isEmpty ? "" : ".\(ext)")
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        if Self.holds(target, hash: hash, size: size) {
            if move { try? fm.removeItem(atPath: path) }
            // Marks the stored copy as used now: a retention sweep leaves files touched after its cutoff alone,
            // so content a running stage just reused is never deleted under it.
            try? fm.setAttributes([.modificationDate: Date()], ofItemAtPath: target)
        } else {
            // New content, or a stored copy that was damaged: write it (again) and rename over atomically.
            let staging = target + ".part-\(UUID().uuidString.prefix(8))"
            if move { try fm.moveItem(atPath: path, toPath: staging) } else { try fm.copyItem(atPath: path, toPath: staging) }
            if rename(staging, target) != 0 {
                try? fm.removeItem(atPath: staging)
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target])
            }
        }
        return ArtifactRef(sha256: hash, size: size, path: target, mime: mime)
    }

    /// Whether `path` exists with exactly this size and hash (the size is checked first: it is free).
    private static func holds(_ path: String, hash: String, size: Int64) -> Bool {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              (attributes[.size] as? NSNumber)?.int64Value == size,
              let digest = try? sha256(ofFile: path) else { return false }
        return digest.hash == hash
    }

    public func verify(_ artifact: ArtifactRef) -> Bool {
        Self.holds(artifact.path, hash: artifact.sha256, size: artifact.size)
    }

    public static func sha256(ofFile path: String) throws -> (hash: String, size: Int64) {
        try FileDigest.sha256(ofFile: path)
    }
}
