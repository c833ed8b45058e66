import ArgumentParser
import Foundation
import VidflowCore
import VidflowEngine

/// What `retry` and `rerun` share: the base run, an optional new definition file, new inputs, `--dry-run`.
struct BaseRunOptions: ParsableArguments {
    @Argument(help: "The id of the earlier run to start from.")
    var runID: String

    @Option(name: .customLong("file"), help: "Use this definition instead of the base run's.")
    var file: String?

    @Option(name: .customLong("input"), help: ArgumentHelp("Override an input of the base run (repeatable).", valueName: "key=value"))
    var inputs: [String] = []

    @Flag(name: .customLong("dry-run"), help: "Print what would run and why; write nothing.")
    var dryRun = false

    func validate() throws {
        if runID.isEmpty { throw CLIFailure.badInput("the run id must not be empty").report() }
        if let file { try DefinitionFile.checkReadable(file) }
        try InputAssignments.checkForm(inputs)
    }

    /// Plans a `mode` run over the base run and executes it (or prints the plan).
    func execute(_ mode: ExecutionMode, global: GlobalOptions) async throws {
        try await CLIFailure.guarding {
            try await Workspace.session(global) { workspace in
                guard let base = try await workspace.store.run(runID) else {
                    throw CLIFailure.badInput("no run with id '\(runID)' in \(workspace.directory)")
                }
                guard base.status.isTerminal else {
                    throw CLIFailure.badInput("run '\(runID)' is still \(base.status.rawValue): wait for it to end or "
                        + "`vidflow cancel \(runID)` it (if its process died, `vidflow resume` continues it)")
                }
                let definition = try file.map { try DefinitionFile.load($0, registry: workspace.registry) }
                let values = try InputAssignments.values(inputs, for: definition ?? base.definition)
                if !dryRun { try await workspace.recover() }
                let request = RunRequest(definition: definition, inputs: values, mode: mode, baseRunID: runID,
                                         source: file.map(Paths.absolute) ?? base.source)
                return try await RunLauncher(workspace: workspace, json: global.json).execute(request, dryRun: dryRun)
            }
        }
    }
}
