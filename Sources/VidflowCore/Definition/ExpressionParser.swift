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
                guard j < chars.count else { throw ExpressionError("unterminated string in '\(text)'") }
                tokens.append(.literal(.string(literal)))
                i = j + 1
            } else if c.isNumber || (c == "-" && i + 1 < chars.count && chars[i + 1].isNumber) {
                var j = i + 1
                while j < chars.count && (chars[j].isNumber || chars[j] == ".") { j += 1 }
                let number = String(chars[i..<j])
                if let value = Int(number) { tokens.append(.literal(.int(value))) }
                else if let value = Double(number) { tokens.append(.literal(.double(value))) }
                else { throw ExpressionError("bad number '\(number)' in '\(text)'") }
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
                    throw ExpressionError("unexpected character '\(c)' in '\(text)'")
                }
            }
        }
        return tokens
    }
}

/// Recursive-descent parser: or → and → comparison → unary → primary.
struct ExpressionParser {
    var tokens: [ExpressionLexer.Token]
    var index = 0

    var atEnd: Bool { index >= tokens.count }
    var peekText: String {
        guard !atEnd else { return "end" }
        switch tokens[index] {
        case .path(let parts): return parts.joined(separator: ".")
        case .literal(let value): return value.interpolated
        case .symbol(let symbol): return symbol
        }
    }

    mutating func take(_ symbol: String) -> Bool {
        guard !atEnd, tokens[index] == .symbol(symbol) else { return false }
        index += 1
        return true
    }

    mutating func parseOr() throws(ExpressionError) -> Expression {
        var lhs = try parseAnd()
        while take("||") { lhs = .binary(.or, lhs, try parseAnd()) }
        return lhs
    }

    mutating func parseAnd() throws(ExpressionError) -> Expression {
        var lhs = try parseComparison()
        while take("&&") { lhs = .binary(.and, lhs, try parseComparison()) }
        return lhs
    }

    mutating func parseComparison() throws(ExpressionError) -> Expression {
        let lhs = try parseUnary()
        for op in [Expression.BinaryOperator.equal, .notEqual, .lessOrEqual, .greaterOrEqual, .less, .greater] where take(op.rawValue) {
            return .binary(op, lhs, try parseUnary())
        }
        return lhs
    }

    mutating func parseUnary() throws(ExpressionError) -> Expression {
        if take("!") { return .not(try parseUnary()) }
        return try parsePrimary()
    }

    mutating func parsePrimary() throws(ExpressionError) -> Expression {
        guard !atEnd else { throw ExpressionError("expression ends too early") }
        if take("(") {
            let inner = try parseOr()
            guard take(")") else { throw ExpressionError("missing ')'") }
            return inner
        }
        let token = tokens[index]
        index += 1
        switch token {
        case .literal(let value): return .literal(value)
        case .symbol(let symbol): throw ExpressionError("unexpected '\(symbol)'")
        case .path(let parts): return .reference(try Self.reference(parts))
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
            throw ExpressionError("unknown reference '\(text)' (use inputs.NAME, stages.ID.outputs.NAME or previous.outputs.NAME)")
        }
    }
}
