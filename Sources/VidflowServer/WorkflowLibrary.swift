import Foundation
import VidflowCore

/// Finds workflows by name in the workflows directory and turns request documents into definitions.
struct WorkflowLibrary: Sendable {
    let directory: String
    let registry: StageRegistry

    /// The definition named `name` (`<dir>/<name>.yaml`, `.yml` or `.json`).
    func named(_ name: String) throws -> (WorkflowDefinition, source: String) {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "_-."))
        guard !name.isEmpty, !name.hasPrefix("."), name.unicodeScalars.allSatisfy(allowed.contains) else {
            throw APIError.badRequest("not a workflow name: use letters, digits, '_', '-' and '.'", field: "workflow")
        }
        let base = name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.hasSuffix(".json") ? [name] : []
        for file in base + ["\(name).yaml", "\(name).yml", "\(name).json"] {
            let path = directory + "/" + file
            guard FileManager.default.fileExists(atPath: path), let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                continue
            }
            do {
                return (try DefinitionValidator(registry: registry).load(text, file: file), file)
            } catch {
                throw Self.invalid(error, prefix: "workflow")
            }
        }
        let known = available().joined(separator: ", ")
        throw APIError.badRequest("no workflow named '\(name)'" + (known.isEmpty ? "" : " (available: \(known))"),
                                  field: "workflow", code: "unknown_workflow")
    }

    /// Names of the workflows in the directory.
    func available() -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return files.compactMap { file -> String? in
            for suffix in [".yaml", ".yml", ".json"] where file.hasSuffix(suffix) { return String(file.dropLast(suffix.count)) }
            return nil
        }.sorted()
    }

    /// An inline `definition` or `workflow_config` document, parsed, `adjust`ed (top-level parameters wired in)
    /// and validated.
    func parse(_ document: JSONValue, field: String,
               adjust: (WorkflowDefinition) -> WorkflowDefinition = { $0 }) throws -> WorkflowDefinition {
        do {
            let definition = adjust(try DefinitionParser.parse(document, file: nil))
            try DefinitionValidator(registry: registry).validate(definition)
            return definition
        } catch {
            throw Self.invalid(error, prefix: field)
        }
    }

    /// A 400 naming the first issue's field, with every issue in the message.
    static func invalid(_ error: DefinitionError, prefix: String) -> APIError {
        let first = error.issues.first
        var field = prefix
        if let first {
            field += first.stage.map { ".stages.\($0)" } ?? ""
            if first.field != "(document)" { field += "." + first.field }
        }
        let listed = error.issues.prefix(DefinitionError.maxListed).map { issue in
            (issue.stage.map { "stage '\($0)': " } ?? "") + "\(issue.field): \(issue.message)"
        }
        let more = error.issues.count > DefinitionError.maxListed ? "; … and \(error.issues.count - DefinitionError.maxListed) more" : ""
        return APIError.badRequest("invalid workflow: " + listed.joined(separator: "; ") + more, field: field, code: "invalid_workflow")
    }
}
