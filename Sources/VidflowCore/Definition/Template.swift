/// A parameter value with `${{ … }}` expressions in it.
///
/// A string that is exactly one expression takes the referenced value with its type
/// (`"${{ inputs.seconds }}"` → `4`); expressions inside longer text are interpolated as text.
public struct Template: Sendable, Hashable {
    public enum Part: Sendable, Hashable {
        case text(String)
        case expression(Expression)
    }

    public var parts: [Part]

    public static func parse(_ text: String) throws(ExpressionError) -> Template {
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.range(of: "${{") {
            if open.lowerBound > rest.startIndex { parts.append(.text(String(rest[..<open.lowerBound]))) }
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw ExpressionError("'${{' without a closing '}}' in '\(DefinitionLimits.excerpt(text))'")
            }
            parts.append(.expression(try Expression.parse(String(rest[open.upperBound..<close.lowerBound]))))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        return Template(parts: parts)
    }

    public var references: [Reference] {
        parts.flatMap { part -> [Reference] in
            if case .expression(let e) = part { e.references } else { [] }
        }
    }

    public func evaluate(in scope: ExpressionScope) throws(ExpressionError) -> JSONValue {
        if parts.count == 1, case .expression(let e) = parts[0] { return try e.evaluate(in: scope) }
        var text = ""
        for part in parts {
            switch part {
            case .text(let t): text += t
            case .expression(let e): text += try e.evaluate(in: scope).interpolated
            }
        }
        return .string(text)
    }
}

extension JSONValue {
    /// Every reference in this value's strings, nested ones included.
    public func templateReferences() throws(ExpressionError) -> [Reference] {
        switch self {
        case .string(let s): return s.contains("${{") ? try Template.parse(s).references : []
        case .array(let items):
            var all: [Reference] = []
            for item in items { all += try item.templateReferences() }
            return all
        case .object(let fields):
            var all: [Reference] = []
            for key in fields.keys.sorted() { all += try fields[key, default: .null].templateReferences() }
            return all
        default: return []
        }
    }

    /// This value with every `${{ … }}` evaluated.
    public func resolvingTemplates(in scope: ExpressionScope) throws(ExpressionError) -> JSONValue {
        switch self {
        case .string(let s): return s.contains("${{") ? try Template.parse(s).evaluate(in: scope) : self
        case .array(let items):
            var out: [JSONValue] = []
            for item in items { out.append(try item.resolvingTemplates(in: scope)) }
            return .array(out)
        case .object(let fields):
            var out: [String: JSONValue] = [:]
            for (key, value) in fields { out[key] = try value.resolvingTemplates(in: scope) }
            return .object(out)
        default: return self
        }
    }

    /// Whether this value is, or holds, any `${{ … }}` expression.
    public var hasTemplates: Bool {
        switch self {
        case .string(let s): s.contains("${{")
        case .array(let items): items.contains { $0.hasTemplates }
        case .object(let fields): fields.values.contains { $0.hasTemplates }
        default: false
        }
    }
}
