/// Checks a decoded document against `DefinitionLimits` without recursion: nesting depth and string size.
///
/// Runs before anything else walks the document, so later recursive code (templates, canonical JSON)
/// only ever sees shallow values.
/// ```swift
/// if let problem = DocumentCheck.problem(in: document) { print(problem.field, problem.message) }
/// ```
public enum DocumentCheck {
    /// Where the first value past a limit is (`stages[2].with.prompt`) and what is wrong with it.
    public struct Problem: Sendable, Hashable {
        public var field: String
        public var message: String
    }

    /// The first value nested deeper than `maxDepth` or holding a string longer than `maxStringBytes`;
    /// its field is a path from `root` (`""`: the document itself, shown as `(document)`).
    public static func problem(in document: JSONValue, root: String = "",
                               maxDepth: Int = DefinitionLimits.maxNestingDepth,
                               maxStringBytes: Int = DefinitionLimits.maxStringBytes) -> Problem? {
        // Paths are kept as links to the parent and spelt out only for the value that breaks a limit.
        var steps: [(parent: Int, step: Step)] = [(-1, .root)]
        var work: [(value: JSONValue, node: Int, depth: Int)] = [(document, 0, 0)]
        func path(_ node: Int) -> String {
            var parts: [Step] = []
            var at = node
            while at > 0 {
                parts.append(steps[at].step)
                at = steps[at].parent
            }
            var text = root
            for part in parts.reversed() {
                switch part {
                case .root: continue
                case .index(let index): text += "[\(index)]"
                case .key(let key):
                    let name = DefinitionLimits.excerpt(key)
                    text += text.isEmpty ? name : ".\(name)"
                }
            }
            return shown(text)
        }
        while let (value, node, depth) = work.popLast() {
            switch value {
            case .string(let text) where text.utf8.count > maxStringBytes:
                return Problem(field: path(node), message: "string of \(text.utf8.count) bytes is longer than the limit of \(maxStringBytes)")
            case .array(let items):
                guard depth < maxDepth else { return tooDeep(path(node), maxDepth) }
                for (index, item) in items.enumerated().reversed() {
                    steps.append((node, .index(index)))
                    work.append((item, steps.count - 1, depth + 1))
                }
            case .object(let fields):
                guard depth < maxDepth else { return tooDeep(path(node), maxDepth) }
                for key in fields.keys.sorted().reversed() {
                    guard key.utf8.count <= maxStringBytes else {
                        return Problem(field: path(node), message: "a key is longer than \(maxStringBytes) bytes")
                    }
                    steps.append((node, .key(key)))
                    work.append((fields[key] ?? .null, steps.count - 1, depth + 1))
                }
            default: continue
            }
        }
        return nil
    }

    /// One step of a path: into an array element or a mapping's key.
    private enum Step {
        case root
        case index(Int)
        case key(String)
    }

    private static func shown(_ path: String) -> String {
        path.isEmpty ? "(document)" : DefinitionLimits.excerpt(path, limit: 2 * DefinitionLimits.maxExcerptCharacters)
    }

    private static func tooDeep(_ field: String, _ limit: Int) -> Problem {
        Problem(field: field, message: "arrays and mappings nest more than \(limit) deep")
    }
}
