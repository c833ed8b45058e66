import ArgumentParser
import Foundation
import VidflowCore

/// `vidflow validate FILE`: checks a workflow definition and lists every problem; runs and writes nothing.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a workflow file (YAML or JSON): every problem is listed with file, stage and field.",
        discussion: "Exit status: 0 when valid, 2 when not.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The workflow definition file (YAML or JSON).")
    var file: String

    func run() async throws {
        let registry = Workspace.registry(dataDirectory: global.dataDirectory)
        let text: String
        do {
            text = try DefinitionFile.read(file)
        } catch {
            throw CLIFailure.from(error).report()
        }
        do {
            let definition = try DefinitionValidator(registry: registry).load(text, file: file)
            if global.json {
                Console.write(try RunJSON.text([
                    "valid": true, "file": .string(file), "workflow": .string(definition.name),
                    "inputs": .array(definition.inputs.map { .string($0.name) }),
                    "stages": .array(definition.stages.map { .string($0.id) }),
                ]))
            } else {
                let inputs = definition.inputs.isEmpty ? "" : ", inputs: " + definition.inputs.map(\.name).joined(separator: ", ")
                Console.line("\(file): valid workflow '\(definition.name)' with \(definition.stages.count) stages" + inputs)
            }
        } catch let error as DefinitionError {
            if global.json {
                let issues: [JSONValue] = error.issues.map { issue in
                    ["file": issue.file.map(JSONValue.string) ?? .null, "stage": issue.stage.map(JSONValue.string) ?? .null,
                     "field": .string(issue.field), "message": .string(issue.message)]
                }
                Console.write(try RunJSON.text(["valid": false, "file": .string(file), "issues": .array(issues)]))
                throw ExitCode(2)
            }
            throw CLIFailure.badInput(CLIFailure.message(error)).report()
        }
    }
}
