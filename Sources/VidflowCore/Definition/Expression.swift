/// A value a stage parameter or condition refers to: a workflow input or an upstream stage's output.
public enum Reference: Sendable, Hashable, CustomStringConvertible {
    case input(String)
    case stageOutput(stage: String, output: String)
    /// `previous.outputs.x`: the output of the stage's single upstream stage (what chains use).
    case previousOutput(String)

    public var description: String {
        switch self {
        case .input(let name): "inputs.\(name)"
        case .stageOutput(let stage, let output): "stages.\(stage).outputs.\(output)"
        case .previousOutput(let output): "previous.outputs.\(output)"
        }
    }
}

/// What an expression is evaluated against.
public struct ExpressionScope: Sendable {
    public var inputs: [String: JSONValue]
    public var outputs: [String: [String: JSONValue]]
    public var previousStage: String?

    public init(inputs: [String: JSONValue], outputs: [String: [String: JSONValue]] = [:], previousStage: String? = nil) {
        self.inputs = inputs
        self.outputs = outputs
        self.previousStage = previousStage
    }

    func value(of reference: Reference) throws(ExpressionError) -> JSONValue {
        switch reference {
        case .input(let name):
            guard let value = inputs[name] else { throw ExpressionError("no input named '\(name)'") }
            return value
        case .stageOutput(let stage, let output):
            guard let values = outputs[stage] else { throw ExpressionError("stage '\(stage)' has no outputs yet") }
            guard let value = values[output] else { throw ExpressionError("stage '\(stage)' has no output '\(output)'") }
            return value
        case .previousOutput(let output):
            guard let stage = previousStage else { throw ExpressionError("'previous' needs exactly one upstream stage") }
            return try value(of: .stageOutput(stage: stage, output: output))
        }
    }
}

/// A malformed or unevaluable expression.
public struct ExpressionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem it is, for callers that treat some differently.
    public enum Kind: Sendable, Hashable {
        case invalid
        /// Operators or parentheses nest deeper than `DefinitionLimits.maxExpressionDepth`.
        case tooDeep
    }

    public var kind: Kind
    public var message: String
    public init(_ message: String, kind: Kind = .invalid) {
        self.kind = kind
        self.message = message
    }
    public var description: String { message }

    static func tooDeep(limit: Int) -> ExpressionError {
        ExpressionError("operators or parentheses nest more than \(limit) deep", kind: .tooDeep)
    }
}

/// A parsed expression: references, literals, comparisons and boolean logic (`inputs.n > 2 && !inputs.dry`).
public indirect enum Expression: Sendable, Hashable {
    case literal(JSONValue)
    case reference(Reference)
    case not(Expression)
    case binary(BinaryOperator, Expression, Expression)

    public enum BinaryOperator: String, Sendable, Hashable {
        case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
        case and = "&&", or = "||"
    }

    public static func parse(_ text: String) throws(ExpressionError) -> Expression {
        var parser = ExpressionParser(tokens: try ExpressionLexer.tokens(of: text))
        let parsed = try parser.parseOr()
        guard parser.atEnd else {
            throw ExpressionError("unexpected '\(parser.peekText)' in '\(DefinitionLimits.excerpt(text))'")
        }
        return parsed.expression
    }

    /// Every reference, left to right. Parsed trees are at most `maxExpressionDepth` deep.
    public var references: [Reference] {
        switch self {
        case .literal: []
        case .reference(let reference): [reference]
        case .not(let inner): inner.references
        case .binary(_, let lhs, let rhs): lhs.references + rhs.references
        }
    }

    public func evaluate(in scope: ExpressionScope) throws(ExpressionError) -> JSONValue {
        switch self {
        case .literal(let value): return value
        case .reference(let reference): return try scope.value(of: reference)
        case .not(let inner): return .bool(!(try inner.evaluate(in: scope)).isTruthy)
        case .binary(let op, let lhs, let rhs):
            let left = try lhs.evaluate(in: scope)
            switch op {
            case .and: return left.isTruthy ? .bool(try rhs.evaluate(in: scope).isTruthy) : .bool(false)
            case .or: return left.isTruthy ? .bool(true) : .bool(try rhs.evaluate(in: scope).isTruthy)
            default: return .bool(try Self.compare(op, left, try rhs.evaluate(in: scope)))
            }
        }
    }

    private static func compare(_ op: BinaryOperator, _ a: JSONValue, _ b: JSONValue) throws(ExpressionError) -> Bool {
        if op == .equal { return a.looselyEquals(b) }
        if op == .notEqual { return !a.looselyEquals(b) }
        let ordering: Bool?
        if let x = a.doubleValue, let y = b.doubleValue {
            ordering = compareOrdered(op, x, y)
        } else if let x = a.stringValue, let y = b.stringValue {
            ordering = compareOrdered(op, x, y)
        } else {
            ordering = nil
        }
        guard let ordering else { throw ExpressionError("cannot compare \(a.typeName) with \(b.typeName) using \(op.rawValue)") }
        return ordering
    }

    private static func compareOrdered<T: Comparable>(_ op: BinaryOperator, _ x: T, _ y: T) -> Bool? {
        switch op {
        case .less: x < y
        case .lessOrEqual: x <= y
        case .greater: x > y
        case .greaterOrEqual: x >= y
        default: nil
        }
    }
}

extension JSONValue {
    /// Truthiness for conditions: false, null, 0, "" and empty collections are false.
    public var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let v): v
        case .int(let v): v != 0
        case .double(let v): v != 0
        case .string(let v): !v.isEmpty && v.lowercased() != "false"
        case .array(let v): !v.isEmpty
        case .object(let v): !v.isEmpty
        }
    }

    func looselyEquals(_ other: JSONValue) -> Bool {
        if let x = doubleValue, let y = other.doubleValue { return x == y }
        return self == other
    }
}
