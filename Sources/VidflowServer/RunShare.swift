import Foundation
import VidflowCore

/// A run's output files in its owner's storage, as `share/workflows/<run id>/<stage id>.<ext>` (YiVideo's
/// share directory), reachable through `/v1/files/download/…` and deleted with `DELETE /v1/files/directories`.
///
/// The files are hard links to the content-addressed artifacts (a copy where a link cannot be made), made
/// for every completed stage when the run's status is read or one of its share paths is downloaded.
/// Deleting the directory removes only the links: the artifacts stay for other runs and for reuse. Once
/// the directory was deleted through the API, it is not made again.
struct RunShare {
    let storage: UserStorage
    let runID: String

    /// One shared file: where it is in the user's storage and which artifact it is.
    struct File: Sendable, Equatable {
        var stageID: String
        var output: String
        /// Relative to the user's storage: `share/workflows/<run id>/<name>`.
        var path: String
        var artifact: ArtifactRef
    }

    static func directory(_ runID: String) -> String { "share/workflows/\(runID)" }

    /// The run id a relative storage path under `share/workflows/` names, if any.
    static func runID(inPath path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count >= 3, parts[0] == "share", parts[1] == "workflows" else { return nil }
        return String(parts[2])
    }

    private var marker: String { storage.root + "/.shared/\(runID).deleted" }
    var wasDeleted: Bool { FileManager.default.fileExists(atPath: marker) }

    /// The files of the completed stages: each file output that is one of the stage's artifacts, once
    /// (`file` is usually another output's file too), named `<stage>.<ext>`, or `<stage>.<output>.<ext>`
    /// when two outputs of the stage share an extension.
    func files(of stages: [StageRecord]) -> [File] {
        var files: [File] = []
        for stage in stages.sorted(by: { $0.position < $1.position }) where stage.status == .completed {
            let byPath = Dictionary(stage.artifacts.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
            var seen = Set<String>()
            var found: [(output: String, artifact: ArtifactRef)] = []
            let names = (stage.output ?? [:]).keys.sorted { ($0 == "file" ? 1 : 0, $0) < ($1 == "file" ? 1 : 0, $1) }
            for name in names {
                guard let path = stage.output?[name]?.stringValue, let artifact = byPath[path], seen.insert(path).inserted else { continue }
                found.append((name, artifact))
            }
            let extensions = found.map { Self.fileExtension($0.artifact.path) }
            for (output, artifact) in found {
                let ext = Self.fileExtension(artifact.path)
                let unique = extensions.filter { $0 == ext }.count == 1
                let name = (unique ? stage.stageID : "\(stage.stageID).\(output)") + (ext.isEmpty ? "" : ".\(ext)")
                files.append(File(stageID: stage.stageID, output: output, path: Self.directory(runID) + "/" + name,
                                  artifact: artifact))
            }
        }
        return files
    }

    private static func fileExtension(_ path: String) -> String { (path as NSString).pathExtension.lowercased() }

    /// Links the files not linked yet (nothing once the directory was deleted); returns those present.
    @discardableResult
    func link(_ files: [File]) -> [File] {
        guard !wasDeleted else { return [] }
        let manager = FileManager.default
        return files.filter { file in
            let target = storage.root + "/" + file.path
            if manager.fileExists(atPath: target) { return true }
            guard manager.fileExists(atPath: file.artifact.path) else { return false }
            do {
                try manager.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                do {
                    try manager.linkItem(atPath: file.artifact.path, toPath: target)
                } catch {
                    try manager.copyItem(atPath: file.artifact.path, toPath: target)
                }
                return true
            } catch {
                return false
            }
        }
    }

    /// Records that the user deleted the directory, so that reading the status does not link the files again.
    func markDeleted() {
        try? FileManager.default.createDirectory(atPath: storage.root + "/.shared", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: marker, contents: Data())
    }

    /// The status document's `output.files`: each present file with its download URL.
    static func runFiles(_ files: [File]) -> [RunFile] {
        files.map { file in
            let encoded = file.path.split(separator: "/").map {
                String($0).addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? String($0)
            }.joined(separator: "/")
            return RunFile(stage: file.stageID, output: file.output, filePath: file.path,
                           downloadURL: "/v1/files/download/" + encoded, size: Int(file.artifact.size),
                           contentType: UserStorage.contentType(of: file.path))
        }
    }
}
