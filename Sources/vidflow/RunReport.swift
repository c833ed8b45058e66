import Foundation
import VidflowCore

/// The human text for a run: the `status` table and the lines printed when a run ends.
enum RunReport {
    /// Header lines, then one row per stage: status, attempts, duration, and reuse, error or next retry.
    static func status(_ run: RunRecord, stages: [StageRecord], now: Date = Date()) -> [String] {
        var lines = header(run)
        var rows = [["STAGE", "STATUS", "ATTEMPTS", "DURATION", "DETAIL"]]
        for stage in stages.sorted(by: { $0.position < $1.position }) {
            let duration = stage.startedAt.map { start -> String in
                let text = TextFormat.duration((stage.endedAt ?? now).timeIntervalSince(start))
                return stage.endedAt == nil ? text + "…" : text
            } ?? "-"
            rows.append([stage.stageID, stage.status.rawValue, "\(stage.attempts)", duration, detail(stage, now: now)])
        }
        lines.append("")
        lines += TextFormat.table(rows)
        return lines
    }

    static func header(_ run: RunRecord) -> [String] {
        var first = "run \(run.id)  workflow '\(run.workflowName)'  \(run.status.rawValue)  mode \(run.mode.rawValue)"
        if let base = run.baseRunID { first += " of \(base)" }
        var second = "created " + TextFormat.timestamp(run.createdAt)
        if let started = run.startedAt {
            second += "  took " + TextFormat.duration((run.endedAt ?? Date()).timeIntervalSince(started))
            if run.endedAt == nil { second += " so far" }
        }
        var lines = [first, second]
        if let error = run.error { lines.append("error: \(error.message)") }
        return lines
    }

    /// What the DETAIL column says about a stage.
    static func detail(_ stage: StageRecord, now: Date) -> String {
        if let reused = stage.reusedFrom { return "reused from \(reused)" }
        if stage.status == .queued, let next = stage.nextAttemptAt {
            let when = next > now ? "next attempt at \(TextFormat.clock(next)) (in \(TextFormat.duration(next.timeIntervalSince(now))))"
                : "next attempt due"
            return when + (stage.error.map { "; last: \($0.message)" } ?? "")
        }
        if stage.status == .running, stage.progress > 0 { return "\(stage.progress)%" }
        if let error = stage.error, stage.status != .completed { return error.message }
        return ""
    }

    /// The lines printed when `run`, `retry` or `rerun` ends: the id, the status, and the files produced.
    static func final(_ run: RunRecord, stages: [StageRecord]) -> [String] {
        var line = "run \(run.id) \(run.status.rawValue)"
        if let started = run.startedAt, let ended = run.endedAt {
            line += " in " + TextFormat.duration(ended.timeIntervalSince(started))
        }
        let reused = stages.filter { $0.reusedFrom != nil }.count
        if reused > 0 { line += " (\(reused) of \(stages.count) stages reused)" }
        var lines = [line]
        switch run.status {
        case .completed:
            lines += fileOutputs(stages).map { "\($0.name): \($0.path)" }
        case .failed:
            if let error = run.error { lines.append("error: \(error.message)") }
            lines.append("see `vidflow status \(run.id)`; after fixing, `vidflow retry \(run.id)`")
        case .cancelled:
            lines.append("cancelled; `vidflow retry \(run.id)` continues it")
        case .pending, .running:
            lines.append("still running: `vidflow resume` continues it")
        }
        return lines
    }

    /// Outputs that name existing files (and artifacts), in stage order, each path once, named after
    /// their stage (`transcode: /…/x.mp4`, or `stage.output` when the output is not called `file`).
    static func fileOutputs(_ stages: [StageRecord]) -> [(name: String, path: String)] {
        var seen: Set<String> = []
        var files: [(name: String, path: String)] = []
        for stage in stages.sorted(by: { $0.position < $1.position }) {
            for (name, value) in (stage.output ?? [:]).sorted(by: { $0.key < $1.key }) {
                guard let path = value.stringValue, path.hasPrefix("/"), Paths.isFile(path), seen.insert(path).inserted else {
                    continue
                }
                files.append((name == "file" ? stage.stageID : "\(stage.stageID).\(name)", path))
            }
            for artifact in stage.artifacts where seen.insert(artifact.path).inserted {
                files.append(("\(stage.stageID) artifact", artifact.path))
            }
        }
        return files
    }
}
