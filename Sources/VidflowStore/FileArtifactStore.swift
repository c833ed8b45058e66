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
        if fm.fileExists(atPath: target) {
            if move { try? fm.removeItem(atPath: path) }
        } else if move {
            try fm.moveItem(atPath: path, toPath: target)
        } else {
            let staging = target + ".part-\(UUID().uuidString.prefix(8))"
            try fm.copyItem(atPath: path, toPath: staging)
            try fm.moveItem(atPath: staging, toPath: target)
        }
        return ArtifactRef(sha256: hash, size: size, path: target, mime: mime)
    }

    public func verify(_ artifact: ArtifactRef) -> Bool {
        guard let (hash, size) = try? Self.sha256(ofFile: artifact.path) else { return false }
        return hash == artifact.sha256 && size == artifact.size
    }

    public static func sha256(ofFile path: String) throws -> (hash: String, size: Int64) {
        try FileDigest.sha256(ofFile: path)
    }
}
