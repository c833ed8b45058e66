import ArgumentParser
import Foundation
import VidflowCore
import VidflowEngine

/// `vidflow run FILE`: validates a workflow and its inputs, then runs it in the foreground.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a workflow file (YAML or JSON) in the foreground and wait for it to end.",
        discussion: "Exit status: 0 when the run completed, 1 when it failed or was cancelled, 2 for bad input.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The workflow definition file (YAML or JSON).")
    var file: String

    @Option(name: .customLong("input"), help: ArgumentHelp("A workflow input, typed as declared (repeatable).", valueName: "key=value"))
    var inputs: [String] = []

    @Flag(name: .customLong("dry-run"), help: "Print what would run and why; write nothing.")
    var dryRun = false

    @Option(name: .customLong("output"),
            help: ArgumentHelp("When the run completes, write its final files here under readable names.", valueName: "dir"))
    var output: String?

    @OptionGroup var naming: ExportNaming

    func validate() throws {
        try DefinitionFile.checkReadable(file)
        try InputAssignments.checkForm(inputs)
        if output == nil, naming.name != nil || naming.force {
            throw CLIFailure.badInput("--name and --force go with --output DIR").report()
        }
        if let output, output.isEmpty { throw CLIFailure.badInput("--output must not be empty").report() }
    }

    func run() async throws {
        try await CLIFailure.guarding {
            try await Workspace.session(global) { workspace in
                let definition = try DefinitionFile.load(file, registry: workspace.registry)
                let values = try InputAssignments.values(inputs, for: definition, includingDefaults: true)
                let source = Paths.absolute(file)
                _ = try InputResolver.resolve(definition, given: values, file: source)
                if !dryRun { try await workspace.recover() }
                let request = RunRequest(definition: definition, inputs: values, mode: .full, source: source)
                var launcher = RunLauncher(workspace: workspace, json: global.json)
                launcher.export = output.map { RunExport(directory: $0, naming: naming) }
                return try await launcher.execute(request, dryRun: dryRun)
            }
        }
    }
}
