import Foundation
import VidflowCore
import VidflowEngine

/// Writes a completed run's final files into a directory under readable names (`RunOutputNames`).
///
/// Each file is copied from the content-addressed store (never moved; a copy, not a hard link, so that
/// rewriting the exported file in place cannot change the stored artifact later runs reuse) to a hidden
/// temp file beside its target, then renamed into place: a reader never sees half a file. Without
/// `force`, every target is checked before anything is written and an existing one refuses the whole
/// export naming it; the final step links instead of renaming, so a file that appears meanwhile is kept.
///
/// ```swift
/// let written = try RunExport(directory: "out", naming: naming).write(run, stages: stages)
/// ```
struct RunExport {
    let directory: String
    let naming: ExportNaming

    /// One written file: what it is and where it went.
    struct Written {
        var output: RunOutputNames.Output
        var path: String
    }

    init(directory: String, naming: ExportNaming) {
        self.directory = Paths.absolute(directory)
        self.naming = naming
    }

    /// Creates the directory (and its parents); refuses a path that is not a directory.
    func prepare() throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw CLIFailure.badInput("'\(directory)' exists and is not a directory") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw CLIFailure.badInput("cannot create the directory '\(directory)': \(Self.reason(error))")
        }
    }

    /// Writes the run's final files; the run must have completed.
    func write(_ run: RunRecord, stages: [StageRecord]) throws -> [Written] {
        switch run.status {
        case .completed: break
        case .pending, .running:
            throw CLIFailure.badInput("run '\(run.id)' is still \(run.status.rawValue): export it once it has completed")
        case .failed, .cancelled:
            throw CLIFailure.badInput("run '\(run.id)' \(run.status.rawValue): only a completed run has final files "
                + "(`vidflow retry \(run.id)` continues it)")
        }
        let base = naming.name.map(RunOutputNames.sanitize) ?? RunOutputNames.baseName(workflow: run.workflowName, runID: run.id)
        let outputs = RunOutputNames.outputs(of: stages, base: base).filter(\.isFinal)
        for output in outputs where !FileManager.default.fileExists(atPath: output.artifact.path) {
            throw CLIFailure.failure("the file of stage '\(output.stageID)' (\(output.output)) is no longer in the store "
                + "(removed by `vidflow gc`?): `vidflow rerun \(run.id)` makes it again")
        }
        try prepare()
        let targets = outputs.map { Written(output: $0, path: directory + "/" + $0.fileName) }
        for target in targets {
            guard let type = Self.fileType(target.path) else { continue }
            if type == .typeDirectory { throw CLIFailure.badInput("'\(target.path)' is a directory; nothing written") }
            if !naming.force { throw Self.exists(target.path) }
        }
        for target in targets { try place(target.output.artifact.path, at: target.path) }
        return targets
    }

    /// Copies `source` to a temp file beside `target`, then renames (with `force`) or links it into place.
    private func place(_ source: String, at target: String) throws {
        let temp = directory + "/.\(UUID().uuidString.prefix(8).lowercased()).vidflow-export.part"
        defer { unlink(temp) }
        do {
            try FileManager.default.copyItem(atPath: source, toPath: temp)
        } catch {
            throw CLIFailure.failure("cannot write '\(target)': \(Self.reason(error))")
        }
        if naming.force {
            guard rename(temp, target) == 0 else { throw CLIFailure.failure("cannot write '\(target)': \(String(cString: strerror(errno)))") }
        } else if link(temp, target) != 0 {
            throw errno == EEXIST ? Self.exists(target) : CLIFailure.failure("cannot write '\(target)': \(String(cString: strerror(errno)))")
        }
    }

    static func exists(_ path: String) -> CLIFailure {
        CLIFailure.badInput("'\(path)' exists; nothing written (--force replaces it)")
    }

    private static func fileType(_ path: String) -> FileAttributeType? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
    }

    private static func reason(_ error: any Error) -> String {
        ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError)?.localizedDescription ?? error.localizedDescription
    }

    /// What `--json` prints for the written files.
    static func json(_ written: [Written]) -> JSONValue {
        .array(written.map { file in
            ["stage": .string(file.output.stageID), "output": .string(file.output.output), "path": .string(file.path),
             "size": .int(Int(file.output.artifact.size))]
        })
    }
}
