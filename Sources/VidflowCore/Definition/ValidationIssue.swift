/// One problem found in a workflow definition or its inputs, located by file, stage and field.
public struct ValidationIssue: Sendable, Hashable, Codable, CustomStringConvertible {
    public var file: String?
    public var stage: String?
    public var field: String
    public var message: String

    public init(file: String? = nil, stage: String? = nil, field: String, message: String) {
        self.file = file
        self.stage = stage
        self.field = field
        self.message = message
    }

    public var description: String {
        var parts: [String] = []
        if let file { parts.append(file) }
        if let stage { parts.append("stage '\(stage)'") }
        parts.append("field '\(field)'")
        return parts.joined(separator: ": ") + ": " + message
    }
}

/// A definition (or its inputs) was rejected; `issues` lists every problem found, not just the first.
public struct DefinitionError: Error, Sendable, CustomStringConvertible {
    public var issues: [ValidationIssue]

    public init(_ issues: [ValidationIssue]) { self.issues = issues }

    public var description: String {
        let count = issues.count == 1 ? "1 problem" : "\(issues.count) problems"
        return "invalid workflow (\(count)):\n" + issues.map { "  - \($0)" }.joined(separator: "\n")
    }
}

/// Suggests the closest known name for a misspelt one ("did you mean 'model'?").
enum Spelling {
    static func suggestion(for name: String, among candidates: some Sequence<String>) -> String {
        let limit = max(2, name.count / 3)
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let d = distance(name.lowercased(), candidate.lowercased())
            guard d <= limit else { continue }
            if let current = best, current.distance < d || (current.distance == d && current.name < candidate) { continue }
            best = (candidate, d)
        }
        guard let best else { return "" }
        return " (did you mean '\(best.name)'?)"
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                let substitution: Int = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                let insertion: Int = current[j - 1] + 1
                let deletion: Int = previous[j] + 1
                current[j] = Swift.min(deletion, insertion, substitution)
            }
            previous = current
        }
        return previous[b.count]
    }
}
