/// One problem found in a workflow definition or its inputs, located by file, stage and field.
public struct ValidationIssue: Sendable, Hashable, Codable, CustomStringConvertible {
    public var file: String?
    public var stage: String?
    public var field: String
    public var message: String

    /// Stage, field and message are cut short (`DefinitionLimits.excerpt`): they may quote hostile input.
    public init(file: String? = nil, stage: String? = nil, field: String, message: String) {
        self.file = file
        self.stage = stage.map { DefinitionLimits.excerpt($0) }
        self.field = DefinitionLimits.excerpt(field, limit: 2 * DefinitionLimits.maxExcerptCharacters)
        self.message = DefinitionLimits.excerpt(message, limit: 4 * DefinitionLimits.maxExcerptCharacters)
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

    /// Issues listed in `description`; the rest are counted.
    public static let maxListed = 20

    public var description: String {
        let count = issues.count == 1 ? "1 problem" : "\(issues.count) problems"
        var lines = issues.prefix(Self.maxListed).map { "  - \($0)" }
        if issues.count > Self.maxListed { lines.append("  … and \(issues.count - Self.maxListed) more") }
        return "invalid workflow (\(count)):\n" + lines.joined(separator: "\n")
    }
}

/// Suggests the closest known name for a misspelt one ("did you mean 'model'?").
enum Spelling {
    /// Names longer than this get no suggestion: the distance is quadratic in their length.
    static let maxNameLength = 64

    static func suggestion(for name: String, among candidates: some Sequence<String>) -> String {
        guard name.utf8.count <= maxNameLength else { return "" }
        let limit = max(2, name.count / 3)
        var best: (name: String, distance: Int)?
        for candidate in candidates where candidate.utf8.count <= maxNameLength {
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
