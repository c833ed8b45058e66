import Foundation
import VidflowCore
import VidflowEngine

/// The file name a download of a run's file offers in `Content-Disposition`: the name `vidflow export`
/// writes it under (`RunOutputNames`: `<workflow>-<run id>.mp4`, `…_thumb.jpg`, `…_sprites.jpg`).
enum RunDownloadName {
    static func base(_ run: RunRecord) -> String {
        RunOutputNames.baseName(workflow: run.workflowName, runID: run.id)
    }

    /// The readable name of the run's file at `path`; `base + fallbackSuffix` when no stage produced it
    /// (a sprite sheet made on request).
    static func of(_ path: String, run: RunRecord, stages: [StageRecord], fallbackSuffix: String) -> String {
        let base = base(run)
        return RunOutputNames.outputs(of: stages, base: base).first { $0.artifact.path == path }?.fileName ?? base + fallbackSuffix
    }

    /// The readable names of a run's shared files (`share/workflows/<id>/…`), by their path in the user's storage.
    /// A shared file that is no output (the uploaded image) keeps its own name after the base name.
    static func shared(_ files: [RunShare.File], run: RunRecord, stages: [StageRecord]) -> [String: String] {
        let base = base(run)
        let outputs = RunOutputNames.outputs(of: stages, base: base)
        var names: [String: String] = [:]
        for file in files {
            let output = outputs.first { $0.stageID == file.stageID && $0.output == file.output }
            names[file.path] = output?.fileName ?? base + "_" + (file.path as NSString).lastPathComponent
        }
        return names
    }
}
