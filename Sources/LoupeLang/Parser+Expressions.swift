/// Expressions, lowest precedence first: `or`, `and`, `not`, comparisons, `+ -`, `* /`,
/// unary `-`, then attributes and indexing.
extension Parser {
    public mutating func expression() throws(LoupeError) -> Expression {
        try enterNesting()
        defer { depth -= 1 }
        return try or()
    }

    mutating func or() throws(LoupeError) -> Expression {
        var left = try and()
        var links = 0   // each operator nests the tree one level deeper
        defer { depth -= links }
        while current.kind == .keyword(.or) {
            let op = advance()
            try enterNesting(); links += 1
            let right = try and()
            left = Expression(.binary(.or, left, right, operatorSpan: op.span), span: left.span.through(right.span))
        }
        return left
    }

    mutating func and() throws(LoupeError) -> Expression {
        var left = try not()
        var links = 0   // each operator nests the tree one level deeper
        defer { depth -= links }
        while current.kind == .keyword(.and) {
            let op = advance()
            try enterNesting(); links += 1
            let right = try not()
            left = Expression(.binary(.and, left, right, operatorSpan: op.span), span: left.span.through(right.span))
        }
        return left
    }

    mutating func not() throws(LoupeError) -> Expression {
        guard current.kind == .keyword(.not) else { return try comparison() }
        let op = advance()
        try enterNesting()
        defer { depth -= 1 }
        let operand = try not()
        return Expression(.unary(.not, operand), span: op.span.through(operand.span))
    }

    mutating func comparison() throws(LoupeError) -> Expression {
        var left = try additive()
        var links = 0
        defer { depth -= links }
        while true {
            let op: BinaryOperator
            switch current.kind {
            case .equal: op = .equal
            case .notEqual: op = .notEqual
            case .less: op = .less
            case .lessEqual: op = .lessEqual
            case .greater: op = .greater
            case .greaterEqual: op = .greaterEqual
            default: return left
            }
            let token = advance()
            try enterNesting(); links += 1
            let right = try additive()
            left = Expression(.binary(op, left, right, operatorSpan: token.span), span: left.span.through(right.span))
        }
    }

    mutating func additive() throws(LoupeError) -> Expression {
        var left = try multiplicative()
        var links = 0   // each operator nests the tree one level deeper
        defer { depth -= links }
        while current.kind == .plus || current.kind == .minus {
            let token = advance()
            try enterNesting(); links += 1
            let right = try multiplicative()
            left = Expression(.binary(token.kind == .plus ? .add : .subtract, left, right, operatorSpan: token.span),
                              span: left.span.through(right.span))
        }
        return left
    }

    mutating func multiplicative() throws(LoupeError) -> Expression {
        var left = try unary()
        var links = 0   // each operator nests the tree one level deeper
        defer { depth -= links }
        while current.kind == .star || current.kind == .slash {
            let token = advance()
            try enterNesting(); links += 1
            let right = try unary()
            left = Expression(.binary(token.kind == .star ? .multiply : .divide, left, right, operatorSpan: token.span),
                              span: left.span.through(right.span))
        }
        return left
    }

    mutating func unary() throws(LoupeError) -> Expression {
        guard current.kind == .minus else { return try postfix() }
        let op = advance()
        try enterNesting()
        defer { depth -= 1 }
        let operand = try unary()
        return Expression(.unary(.negate, operand), span: op.span.through(operand.span))
    }

    mutating func postfix() throws(LoupeError) -> Expression {
        var value = try primary()
        var links = 0   // `a.b.c` and `a[0][1]` nest like operators
        defer { depth -= links }
        while true {
            if current.kind == .dot || current.kind == .leftBracket { try enterNesting(); links += 1 }
            if current.kind == .dot {
                advance()
                guard case .name(let name) = current.kind else {
                    throw error("expected an attribute name after '.' but found \(current.kind.display)")
                }
                let token = advance()
                value = Expression(.attribute(value, name: name, nameSpan: token.span), span: value.span.through(token.span))
            } else if current.kind == .leftBracket {
                advance()
                let index = try expression()
                let close = try expect(.rightBracket, "']'")
                value = Expression(.index(value, index), span: value.span.through(close.span))
            } else {
                return value
            }
        }
    }

    mutating func primary() throws(LoupeError) -> Expression {
        let token = current
        switch token.kind {
        case .number(let value):
            advance()
            return Expression(.number(value), span: token.span)
        case .size(let width, let height):
            advance()
            return Expression(.size(width: width, height: height), span: token.span)
        case .string(let pieces):
            advance()
            return Expression(.string(try segments(pieces)), span: token.span)
        case .keyword(.true), .keyword(.false):
            advance()
            return Expression(.bool(token.kind == .keyword(.true)), span: token.span)
        case .keyword(.none):
            advance()
            return Expression(.none, span: token.span)
        case .name(let name):
            advance()
            return Expression(.name(name), span: token.span)
        case .leftBracket:
            advance()
            let items = try commaSeparated(until: .rightBracket)
            let close = advance()
            return Expression(.list(items), span: token.span.through(close.span))
        case .leftParen:
            return try parenthesised()
        case .keyword(let keyword):
            throw error("'\(keyword.rawValue)' is a keyword and cannot be used as a value here")
        case .newline, .end:
            throw error("expected a value but the statement ends here")
        default:
            throw error("expected a value but found \(token.kind.display)")
        }
    }

    /// `(expression)`, a tuple `(a, b, …)`, or a command call `(command args…)`.
    mutating func parenthesised() throws(LoupeError) -> Expression {
        let open = advance()
        if case .name(let name) = current.kind, commandNames.contains(name) {
            let nameToken = advance()
            let call = try commandCall(named: name, span: nameToken.span, endingAt: .rightParen)
            let close = try expect(.rightParen, "')'")
            return Expression(.command(call), span: open.span.through(close.span))
        }
        if current.kind == .rightParen { throw error("empty parentheses: write a value or a tuple inside") }
        let first = try expression()
        if current.kind == .rightParen {
            advance()
            return first
        }
        guard current.kind == .comma else { throw error("expected ')' or ',' but found \(current.kind.display)") }
        advance()
        var items = [first]
        items += try commaSeparated(until: .rightParen)
        let close = advance()
        return Expression(.tuple(items), span: open.span.through(close.span))
    }

    /// Items up to (not including) `closer`; a trailing comma is allowed.
    mutating func commaSeparated(until closer: TokenKind) throws(LoupeError) -> [Expression] {
        var items: [Expression] = []
        while current.kind != closer {
            items.append(try expression())
            if current.kind == .comma {
                advance()
            } else if current.kind != closer {
                throw error("expected ',' or \(closer.display) but found \(current.kind.display)")
            }
        }
        return items
    }

    /// Parses each `{expression}` of a string with positions inside the enclosing line.
    mutating func segments(_ pieces: [StringPiece]) throws(LoupeError) -> [StringSegment] {
        var result: [StringSegment] = []
        for piece in pieces {
            switch piece {
            case .text(let text):
                result.append(.text(text))
            case .interpolation(let code, let start):
                let inner = SourceFile(name: source.name, text: code)
                do throws(LoupeError) {
                    var lexer = Lexer(inner, startingAt: start)
                    var parser = Parser(tokens: try lexer.run().tokens, source: inner, commandNames: commandNames)
                    parser.depth = depth   // strings inside `{…}` of strings nest too
                    let value = try parser.expression()
                    if parser.current.kind != .newline && parser.current.kind != .end {
                        throw parser.error("unexpected \(parser.current.kind.display) in '{…}' of a string")
                    }
                    result.append(.expression(value))
                } catch {
                    var diagnostic = error.diagnostic
                    diagnostic.sourceLine = diagnostic.span.map { source.line($0.start.line) }
                    throw .syntax(diagnostic)
                }
            }
        }
        return result
    }
}
