import Foundation
import VidflowCore

/// Reads and validates a workflow file (YAML or JSON) before anything runs.
enum DefinitionFile {
    /// The file's text, or a bad-input failure naming the file.
    static func read(_ path: String) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIFailure.badInput("workflow file '\(path)' does not exist")
        }
        guard Paths.isFile(path) else { throw CLIFailure.badInput("workflow file '\(path)' is a directory") }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard attributes?[.type] as? FileAttributeType == .typeRegular else {
            throw CLIFailure.badInput("workflow file '\(path)' is not a regular file")
        }
        let size = (attributes?[.size] as? NSNumber)?.intValue ?? 0
        guard size <= DefinitionLimits.maxDocumentBytes else {
            throw CLIFailure.badInput("workflow file '\(path)' is \(size) bytes, more than the limit of \(DefinitionLimits.maxDocumentBytes)")
        }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CLIFailure.badInput("cannot read workflow file '\(path)': \(error.localizedDescription)")
        }
    }

    /// Parses and validates the file against the registry; every problem is listed with file, stage and field.
    static func load(_ path: String, registry: StageRegistry) throws -> WorkflowDefinition {
        let text = try read(path)
        do {
            return try DefinitionValidator(registry: registry).load(text, file: path)
        } catch {
            throw CLIFailure.badInput(CLIFailure.message(error))
        }
    }

    /// `validate()`'s check: the file exists and is readable (a one-line error and exit 2 otherwise).
    static func checkReadable(_ path: String) throws {
        do {
            _ = try read(path)
        } catch let failure as CLIFailure {
            throw failure.report()
        }
    }
}
