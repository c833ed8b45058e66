import ArgumentParser
import Foundation
import VidflowCore

/// `--input key=value` pairs: checked for form in `validate()`, typed by the workflow's declared inputs.
enum InputAssignments {
    /// The form check `validate()` does: every pair is `key=value` with a non-empty key.
    static func checkForm(_ pairs: [String]) throws {
        for pair in pairs {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw CLIFailure.badInput("bad --input '\(pair)': expected key=value").report()
            }
        }
    }

    /// Typed values for the pairs: each coerced with its input's declared type, an unknown name an error.
    /// Relative paths given to `file` inputs become absolute against the current directory, so a later
    /// `rerun` from elsewhere finds the same files; with `includingDefaults` (a new run) so do relative
    /// defaults of `file` inputs left out.
    static func values(_ pairs: [String], for definition: WorkflowDefinition,
                       includingDefaults: Bool = false) throws -> [String: JSONValue] {
        let known = definition.inputs.map(\.name)
        for pair in pairs {
            let key = String(pair.prefix { $0 != "=" })
            if definition.input(key) == nil {
                let list = known.isEmpty ? "the workflow declares no inputs" : "declared: " + known.joined(separator: ", ")
                throw CLIFailure.badInput("bad --input '\(pair)': unknown input '\(key)' (\(list))")
            }
        }
        var values: [String: JSONValue]
        do {
            values = try InputResolver.parseAssignments(pairs, for: definition)
        } catch {
            throw CLIFailure.badInput("bad --input: " + error.issues.map { "\($0.field.replacingOccurrences(of: "inputs.", with: "")): \($0.message)" }.joined(separator: "; "))
        }
        for spec in definition.inputs where spec.type == .file {
            if includingDefaults, values[spec.name] == nil, let path = spec.defaultValue?.stringValue, Paths.isLocalPath(path) {
                values[spec.name] = .string(Paths.absolute(path))
                continue
            }
            guard let path = values[spec.name]?.stringValue, Paths.isLocalPath(path) else { continue }
            let absolute = Paths.absolute(path)
            switch LocalFile.kind(of: absolute) {
            case .regular: break
            case .missing: throw CLIFailure.badInput("bad --input '\(spec.name)=\(path)': no such file '\(absolute)'")
            case .directory: throw CLIFailure.badInput("bad --input '\(spec.name)=\(path)': '\(absolute)' is a directory, not a file")
            case .other:
                throw CLIFailure.badInput("bad --input '\(spec.name)=\(path)': '\(absolute)' is not a regular file (a device, FIFO or socket)")
            }
            values[spec.name] = .string(absolute)
        }
        return values
    }
}
