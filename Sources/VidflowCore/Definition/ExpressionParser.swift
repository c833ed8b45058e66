/// Splits expression text into tokens.
enum ExpressionLexer {
    enum Token: Hashable {
        case path([String])
        case literal(JSONValue)
        case symbol(String)
    }

    static func tokens(of text: String) throws(ExpressionError) -> [Token] {
        var tokens: [Token] = []
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            if c == "'" || c == "\"" {
                var j = i + 1
                var literal = ""
                while j < chars.count && chars[j] != c { literal.append(chars[j]); j += 1 }
                guard j < chars.count else { throw ExpressionError("unterminated string in '\(DefinitionLimits.excerpt(text))'") }
                tokens.append(.literal(.string(literal)))
                i = j + 1
            } else if c.isNumber || (c == "-" && i + 1 < chars.count && chars[i + 1].isNumber) {
                var j = i + 1
                while j < chars.count && (chars[j].isNumber || chars[j] == ".") { j += 1 }
                let number = String(chars[i..<j])
                if let value = Int(number) { tokens.append(.literal(.int(value))) }
                else if let value = Double(number) { tokens.append(.literal(.double(value))) }
                else { throw ExpressionError("bad number '\(DefinitionLimits.excerpt(number))' in '\(DefinitionLimits.excerpt(text))'") }
                i = j
            } else if c.isLetter || c == "_" {
                var j = i + 1
                while j < chars.count && (chars[j].isLetter || chars[j].isNumber || "_.-".contains(chars[j])) { j += 1 }
                let word = String(chars[i..<j])
                switch word {
                case "true": tokens.append(.literal(.bool(true)))
                case "false": tokens.append(.literal(.bool(false)))
                case "null": tokens.append(.literal(.null))
                default: tokens.append(.path(word.split(separator: ".", omittingEmptySubsequences: false).map(String.init)))
                }
                i = j
            } else {
                let two = i + 1 < chars.count ? String(chars[i...i + 1]) : ""
                if ["==", "!=", "<=", ">=", "&&", "||"].contains(two) {
                    tokens.append(.symbol(two)); i += 2
                } else if "<>!()".contains(c) {
                    tokens.append(.symbol(String(c))); i += 1
                } else {
                    throw ExpressionError("unexpected character '\(c)' in '\(DefinitionLimits.excerpt(text))'")
                }
            }
        }
        return tokens
    }
}

/// Recursive-descent parser: or → and → comparison → unary → primary.
///
/// Both the recursion (parentheses, `!`) and the tree it builds (chains of `&&`, `||`) stay within
/// `DefinitionLimits.maxExpressionDepth`, so neither parsing nor evaluating can exhaust the stack.
struct ExpressionParser {
    /// An expression with the number of operators nested in it (a literal or reference has none).
    struct Parsed {
        var expression: Expression
        var depth: Int
    }

    var tokens: [ExpressionLexer.Token]
    var index = 0
    /// Parentheses and `!` currently open around the token being parsed.
    var nesting = 0
    let maxDepth = DefinitionLimits.maxExpressionDepth

    var atEnd: Bool { index >= tokens.count }
    var peekText: String {
        guard !atEnd else { return "end" }
        switch tokens[index] {
        case .path(let parts): return DefinitionLimits.excerpt(parts.joined(separator: "."))
        case .literal(let value): return DefinitionLimits.excerpt(value.interpolated)
        case .symbol(let symbol): return symbol
        }
    }

    mutating func take(_ symbol: String) -> Bool {
        guard !atEnd, tokens[index] == .symbol(symbol) else { return false }
        index += 1
        return true
    }

    /// A node over `children`, refused when the tree would grow deeper than the limit.
    func node(_ expression: Expression, over children: Parsed...) throws(ExpressionError) -> Parsed {
        let depth = 1 + children.map(\.depth).reduce(0, max)  // an operator over its deepest operand
        guard depth <= maxDepth else { throw .tooDeep(limit: maxDepth) }
        return Parsed(expression: expression, depth: depth)
    }

    mutating func enter() throws(ExpressionError) {
        nesting += 1
        guard nesting <= maxDepth else { throw .tooDeep(limit: maxDepth) }
    }

    mutating func parseOr() throws(ExpressionError) -> Parsed {
        var lhs = try parseAnd()
        while take("||") {
            let rhs = try parseAnd()
            lhs = try node(.binary(.or, lhs.expression, rhs.expression), over: lhs, rhs)
        }
        return lhs
    }

    mutating func parseAnd() throws(ExpressionError) -> Parsed {
        var lhs = try parseComparison()
        while take("&&") {
            let rhs = try parseComparison()
            lhs = try node(.binary(.and, lhs.expression, rhs.expression), over: lhs, rhs)
        }
        return lhs
    }

    mutating func parseComparison() throws(ExpressionError) -> Parsed {
        let lhs = try parseUnary()
        for op in [Expression.BinaryOperator.equal, .notEqual, .lessOrEqual, .greaterOrEqual, .less, .greater] where take(op.rawValue) {
            let rhs = try parseUnary()
            return try node(.binary(op, lhs.expression, rhs.expression), over: lhs, rhs)
        }
        return lhs
    }

    mutating func parseUnary() throws(ExpressionError) -> Parsed {
        if take("!") {
            try enter()
            let inner = try parseUnary()
            nesting -= 1
            return try node(.not(inner.expression), over: inner)
        }
        return try parsePrimary()
    }

    mutating func parsePrimary() throws(ExpressionError) -> Parsed {
        guard !atEnd else { throw ExpressionError("expression ends too early") }
        if take("(") {
            try enter()
            let inner = try parseOr()
            guard take(")") else { throw ExpressionError("missing ')'") }
            nesting -= 1
            return inner
        }
        let token = tokens[index]
        index += 1
        switch token {
        case .literal(let value): return Parsed(expression: .literal(value), depth: 0)
        case .symbol(let symbol): throw ExpressionError("unexpected '\(symbol)'")
        case .path(let parts): return Parsed(expression: .reference(try Self.reference(parts)), depth: 0)
        }
    }

    static func reference(_ parts: [String]) throws(ExpressionError) -> Reference {
        let text = parts.joined(separator: ".")
        switch parts.first {
        case "inputs" where parts.count == 2 && !parts[1].isEmpty:
            return .input(parts[1])
        case "stages" where parts.count == 4 && parts[2] == "outputs" && !parts[1].isEmpty && !parts[3].isEmpty:
            return .stageOutput(stage: parts[1], output: parts[3])
        case "previous" where parts.count == 3 && parts[1] == "outputs" && !parts[2].isEmpty:
            return .previousOutput(parts[2])
        default:
            throw ExpressionError("unknown reference '\(DefinitionLimits.excerpt(text))' (use inputs.NAME, stages.ID.outputs.NAME or previous.outputs.NAME)")
        }
    }
}
