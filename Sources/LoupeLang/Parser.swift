import LoupeBase

/// Builds statements from tokens (stage 2 of lexer → parser → interpreter).
///
/// The parser needs to know which names are commands: a statement that starts with one is a
/// command call, `NAME = COMMAND …` assigns its result, and a statement that starts with an
/// unknown name followed by an argument is reported as an unknown command.
public struct Parser {
    let source: SourceFile
    let tokens: [Token]
    let commandNames: Set<String>
    var position = 0
    /// How many statements, expressions and unary operators enclose the current token.
    var depth = 0

    /// Deeper nesting than this (brackets, blocks, `not`, `-`) is refused with a message
    /// rather than overflowing the stack; real scripts stay below 20.
    public static let maxDepth = 200

    public init(tokens: [Token], source: SourceFile, commandNames: Set<String>) {
        self.tokens = tokens
        self.source = source
        self.commandNames = commandNames
    }

    /// Lexes and parses a whole source.
    public static func parse(_ source: SourceFile, commandNames: Set<String>) throws(LoupeError) -> [Statement] {
        var parser = Parser(tokens: try Lexer.tokenize(source), source: source, commandNames: commandNames)
        return try parser.program()
    }

    public mutating func program() throws(LoupeError) -> [Statement] {
        var statements: [Statement] = []
        skipNewlines()
        while current.kind != .end {
            statements.append(try statement())
            try endOfStatement(insideBlock: false)
            skipNewlines()
        }
        return statements
    }

    // MARK: Token access

    var current: Token { tokens[position] }
    func peek(_ ahead: Int = 1) -> Token { tokens[min(position + ahead, tokens.count - 1)] }

    @discardableResult
    mutating func advance() -> Token {
        let token = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    mutating func skipNewlines() {
        while current.kind == .newline { advance() }
    }

    /// Counts one more level of nesting; past `maxDepth` it throws, located at the current token.
    mutating func enterNesting() throws(LoupeError) {
        depth += 1
        if depth > Parser.maxDepth {
            throw error("nested more than \(Parser.maxDepth) levels deep (brackets, blocks, operators, 'not' or '-'): "
                        + "split it into several statements with variables")
        }
    }

    func error(_ message: String, at span: SourceSpan? = nil) -> LoupeError {
        .syntax(Diagnostic(message, at: span ?? current.span, in: source))
    }

    mutating func expect(_ kind: TokenKind, _ what: String) throws(LoupeError) -> Token {
        guard current.kind == kind else {
            throw error("expected \(what) but found \(current.kind.display)")
        }
        return advance()
    }

    mutating func endOfStatement(insideBlock: Bool) throws(LoupeError) {
        switch current.kind {
        case .newline, .end: return
        case .rightBrace where insideBlock: return
        case .assign:
            throw error("unexpected '=': only a name can be assigned to, and '==' compares")
        default:
            throw error("unexpected \(current.kind.display) after the end of the statement")
        }
    }

    // MARK: Statements

    mutating func statement() throws(LoupeError) -> Statement {
        try enterNesting()
        defer { depth -= 1 }
        let first = current
        let kind = try statementKind()
        let last = tokens[max(0, position - 1)]
        return Statement(kind, span: first.span, text: source.slice(from: first.offset, to: last.endOffset))
    }

    mutating func statementKind() throws(LoupeError) -> Statement.Kind {
        switch current.kind {
        case .question:
            advance()
            return .command(try commandCall(named: "help", span: tokens[position - 1].span, endingAt: nil))
        case .keyword(.print):
            advance()
            var values: [Expression] = []
            while !atArgumentsEnd(endingAt: nil) {
                if current.kind == .comma, !values.isEmpty { advance() }
                values.append(try expression())
            }
            return .print(values)
        case .keyword(.for):
            advance()
            let variable = current
            guard case .name(let name) = variable.kind else { throw error("expected a variable name after 'for'") }
            advance()
            _ = try expect(.keyword(.in), "'in'")
            let sequence = try expression()
            return .forLoop(variable: name, variableSpan: variable.span, sequence: sequence, body: try block())
        case .keyword(.if):
            return try ifStatement()
        case .keyword(.time):
            advance()
            if case .newline = current.kind { throw error("'time' needs a statement to run, as in: time train m d") }
            return .time(try statement())
        case .name(let name):
            if peek().kind == .assign { return try assignment(name) }
            if commandNames.contains(name) {
                let token = advance()
                return .command(try commandCall(named: name, span: token.span, endingAt: nil))
            }
            try rejectUnknownCommand(name)
            return .expression(try expression())
        default:
            return .expression(try expression())
        }
    }

    mutating func assignment(_ name: String) throws(LoupeError) -> Statement.Kind {
        let target = advance()
        if commandNames.contains(name) {
            throw error("'\(name)' is a command and cannot name a variable; choose another name", at: target.span)
        }
        advance()
        if case .newline = current.kind { throw error("expected a value after '='") }
        if case .end = current.kind { throw error("expected a value after '='") }
        if case .name(let command) = current.kind {
            if commandNames.contains(command) {
                let token = advance()
                let call = try commandCall(named: command, span: token.span, endingAt: nil)
                return .assignment(name: name, nameSpan: target.span,
                                   value: Expression(.command(call), span: call.span))
            }
            try rejectUnknownCommand(command)
        }
        return .assignment(name: name, nameSpan: target.span, value: try expression())
    }

    /// A name followed directly by an argument can only be a mistyped command.
    mutating func rejectUnknownCommand(_ name: String) throws(LoupeError) {
        let next = peek()
        // `runs[0]` indexes; `trian [1, 2]`, with a space, passes a list to a command.
        if next.kind == .leftBracket, next.offset == current.endOffset { return }
        switch next.kind {
        case .name, .number, .string, .size, .leftBracket, .keyword(.true), .keyword(.false), .keyword(.none):
            let hint = Suggestions.closest(to: name, among: commandNames.sorted())
                .map { " (did you mean '\($0)'?)" } ?? " (type 'help' for the list of commands)"
            throw error("unknown command '\(name)'\(hint)", at: current.span)
        default:
            return
        }
    }

    mutating func ifStatement() throws(LoupeError) -> Statement.Kind {
        advance()
        let condition = try expression()
        if current.kind == .assign { throw error("unexpected '=' in a condition: use '==' to compare") }
        let then = try block()
        var lookahead = position
        while tokens[lookahead].kind == .newline { lookahead += 1 }
        guard tokens[lookahead].kind == .keyword(.else) else { return .ifElse(condition: condition, then: then, otherwise: nil) }
        position = lookahead
        advance()
        if current.kind == .keyword(.if) {
            let first = current
            let nested = try ifStatement()
            let text = source.slice(from: first.offset, to: tokens[position - 1].endOffset)
            return .ifElse(condition: condition, then: then, otherwise: [Statement(nested, span: first.span, text: text)])
        }
        return .ifElse(condition: condition, then: then, otherwise: try block())
    }

    /// `{ statement… }` — statements separated by newlines.
    mutating func block() throws(LoupeError) -> [Statement] {
        let open = current
        guard open.kind == .leftBrace else { throw error("expected '{' to start a block but found \(current.kind.display)") }
        advance()
        var body: [Statement] = []
        skipNewlines()
        while current.kind != .rightBrace {
            if current.kind == .end {
                throw error("unclosed '{': add the matching '}'", at: open.span)
            }
            body.append(try statement())
            try endOfStatement(insideBlock: true)
            skipNewlines()
        }
        advance()
        return body
    }

    // MARK: Command calls

    /// Positional arguments, then `key=value` arguments, up to the end of the statement (or
    /// the closing parenthesis when the call sits inside an expression).
    mutating func commandCall(named name: String, span: SourceSpan, endingAt closer: TokenKind?) throws(LoupeError) -> CommandCall {
        var arguments: [Argument] = []
        while !atArgumentsEnd(endingAt: closer) {
            // `help print`, `? for`: the language's keywords have help too.
            if name == "help", case .keyword(let keyword) = current.kind,
               ![.true, .false, .none, .not].contains(keyword) {
                let token = advance()
                arguments.append(Argument(label: nil, labelSpan: nil, value: Expression(.name(keyword.rawValue), span: token.span)))
                continue
            }
            if case .name(let label) = current.kind, peek().kind == .assign {
                let labelToken = advance()
                advance()
                if atArgumentsEnd(endingAt: closer) { throw error("expected a value after '\(label)='") }
                arguments.append(Argument(label: label, labelSpan: labelToken.span, value: try argumentValue()))
            } else {
                let value = try argumentValue()
                arguments.append(Argument(label: nil, labelSpan: nil, value: value))
            }
        }
        return CommandCall(name: name, nameSpan: span, arguments: arguments)
    }

    func atArgumentsEnd(endingAt closer: TokenKind?) -> Bool {
        switch current.kind {
        case .newline, .end, .rightBrace: return true
        case let kind where kind == closer: return true
        default: return false
        }
    }

    /// An argument: a literal, name, attribute, index, list or parenthesised expression,
    /// optionally negated (`rotate=-10`).
    mutating func argumentValue() throws(LoupeError) -> Expression {
        if current.kind == .minus {
            let minus = advance()
            let operand = try postfix()
            return Expression(.unary(.negate, operand), span: minus.span.through(operand.span))
        }
        switch current.kind {
        case .comma:
            throw error("arguments of a command are separated by spaces, not commas")
        case .plus, .star, .slash, .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual,
             .keyword(.and), .keyword(.or):
            throw error("an operator in a command argument needs parentheses, as in lr=(r.best / 10)")
        default:
            return try postfix()
        }
    }
}
