import Foundation
import VidflowCore
import VidflowEngine

/// What `run`, `retry` and `rerun` share: a dry run prints the plan; otherwise the run is created,
/// shown while it executes in this process, and its end printed. Returns the exit code.
struct RunLauncher {
    let workspace: Workspace
    let json: Bool
    /// Where a completed run's final files are written (`run --output`), if anywhere.
    var export: RunExport? = nil

    func execute(_ request: RunRequest, dryRun: Bool) async throws -> Int32 {
        let engine = workspace.engine
        let prepared = try await engine.prepare(request)
        if dryRun {
            if json {
                Console.write(try RunJSON.text(RunJSON.plan(prepared)))
            } else {
                PlanReport.lines(prepared).forEach { Console.line($0) }
            }
            return 0
        }
        try export?.prepare()
        let id = try await engine.create(prepared)
        var intro = "run \(id): workflow '\(prepared.run.workflowName)', \(prepared.stages.count) stages"
        if let base = prepared.run.baseRunID { intro += ", \(prepared.run.mode.rawValue) of \(base)" }
        if !prepared.plan.toReuse.isEmpty { intro += ", \(prepared.plan.toReuse.count) reused" }
        if json { Console.error(intro) } else { Console.line(intro) }

        let interrupt = InterruptHandler { Task { try? await engine.cancel(id) } }
        defer { interrupt.remove() }
        try await show(id, stageIDs: prepared.stages.map(\.stageID))
        _ = try await engine.wait(id)

        guard let run = try await workspace.store.run(id) else { throw CLIFailure.failure("run '\(id)' vanished from the store") }
        let stages = try await workspace.store.stages(of: id)
        var written: [RunExport.Written] = []
        var refused: CLIFailure?
        if let export, run.status == .completed {
            do {
                written = try export.write(run, stages: stages)
            } catch {
                let failure = CLIFailure.from(error)
                refused = CLIFailure(message: "run \(id) completed, but " + failure.message, code: 1)
            }
        }
        if json {
            var document = RunJSON.run(run, stages: stages)
            if export != nil, var object = document.objectValue {
                object["exported"] = RunExport.json(written)
                document = .object(object)
            }
            Console.write(try RunJSON.text(document))
        } else {
            RunReport.final(run, stages: stages).forEach { Console.line($0) }
            written.forEach { Console.line("wrote \($0.path)") }
        }
        if let refused { throw refused }
        return run.status == .completed ? 0 : 1
    }

    /// Follows the run with the display that suits where the output goes.
    private func show(_ id: String, stageIDs: [String]) async throws {
        let follower = RunFollower(store: workspace.store, runID: id)
        let engine = workspace.engine
        let stopped: () async -> Bool = { await !engine.activeRunIDs.contains(id) }
        if json {
            if Console.stderrIsTerminal {
                var display = LiveView(descriptor: STDERR_FILENO, stageIDs: stageIDs)
                try await follower.follow(&display, stopped: stopped)
            } else {
                var display = EventLogView { _ in }
                try await follower.follow(&display, stopped: stopped)
            }
        } else if Console.stdoutIsTerminal {
            var display = LiveView(descriptor: STDOUT_FILENO, stageIDs: stageIDs)
            try await follower.follow(&display, stopped: stopped)
        } else {
            var display = EventLogView.lines(stageWidth: EventFormatter.stageWidth(stageIDs))
            try await follower.follow(&display, stopped: stopped)
        }
    }
}
