/// Turns Loupe source into tokens (stage 1 of lexer → parser → interpreter).
///
/// Newlines end statements, except inside `(` … `)` and `[` … `]` and after a trailing `\`;
/// inside `{` … `}` (blocks of `for` and `if`) they still separate statements.
public struct Lexer {
    private let source: SourceFile
    private let chars: [Character]
    private var index = 0
    private var line: Int
    private var column: Int
    private var tokens: [Token] = []
    /// Open `(` and `[` with where they were opened, for "unclosed bracket" errors.
    private var brackets: [(Character, SourceSpan)] = []
    /// Open `{` blocks; a REPL line with one open asks for more input.
    private var openBraces = 0

    /// Lexes `source`; `start` shifts positions when the text is an interpolation inside a string.
    public init(_ source: SourceFile, startingAt start: SourceLocation = SourceLocation(line: 1, column: 1)) {
        self.source = source
        self.chars = source.characters
        self.line = start.line
        self.column = start.column
    }

    /// The tokens of the whole source, ending with `.end`.
    public static func tokenize(_ source: SourceFile) throws(LoupeError) -> [Token] {
        var lexer = Lexer(source)
        return try lexer.run().tokens
    }

    /// Whether the REPL should ask for another line before running `text`: a bracket or a
    /// block is still open, or the last line ends with `\`. Errors count as complete so
    /// they are reported at once.
    public static func needsMoreInput(_ text: String) -> Bool {
        var lexer = Lexer(SourceFile(name: "<stdin>", text: text))
        do {
            let result = try lexer.run()
            return result.openBraces > 0
        } catch {
            return lexer.endedInsideBracket || lexer.endedWithContinuation
        }
    }

    private var endedInsideBracket = false
    private var endedWithContinuation = false

    struct Result {
        var tokens: [Token]
        var openBraces: Int
    }

    mutating func run() throws(LoupeError) -> Result {
        while let c = peek() {
            if c == "#" {
                while let d = peek(), d != "\n" { advance() }
            } else if c == "\n" {
                let start = here()
                advance()
                if brackets.isEmpty { addNewline(at: start) }
            } else if c == " " || c == "\t" || c == "\r" {
                advance()
            } else if c == "\\" {
                try lineContinuation()
            } else {
                try token(startingWith: c)
            }
        }
        if let (bracket, span) = brackets.last {
            endedInsideBracket = true
            throw .syntax(Diagnostic("unclosed '\(bracket)': add the matching '\(bracket == "(" ? ")" : "]")'",
                                     at: span, in: source))
        }
        let endSpan = SourceSpan(start: SourceLocation(line: line, column: column), length: 1)
        addNewline(at: (endSpan.start, index))
        tokens.append(Token(kind: .end, span: endSpan, offset: index, endOffset: index))
        return Result(tokens: tokens, openBraces: openBraces)
    }

    // MARK: Characters

    private func peek(_ ahead: Int = 0) -> Character? {
        index + ahead < chars.count ? chars[index + ahead] : nil
    }

    private mutating func advance() {
        if chars[index] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        index += 1
    }

    private func here() -> (SourceLocation, Int) { (SourceLocation(line: line, column: column), index) }

    private mutating func add(_ kind: TokenKind, from start: (SourceLocation, Int)) {
        let length = start.0.line == line ? column - start.0.column : index - start.1
        tokens.append(Token(kind: kind, span: SourceSpan(start: start.0, length: max(1, length)),
                            offset: start.1, endOffset: index))
    }

    /// Consecutive newlines collapse into one, and none starts the input.
    private mutating func addNewline(at start: (SourceLocation, Int)) {
        if let last = tokens.last, last.kind != .newline, last.kind != .leftBrace {
            tokens.append(Token(kind: .newline, span: SourceSpan(start: start.0, length: 1),
                                offset: start.1, endOffset: start.1))
        }
    }

    private mutating func lineContinuation() throws(LoupeError) {
        let start = here()
        advance()
        var ahead = index
        while ahead < chars.count, chars[ahead] == " " || chars[ahead] == "\t" || chars[ahead] == "\r" { ahead += 1 }
        if ahead == chars.count {
            endedWithContinuation = true
            throw .syntax(Diagnostic("the line ends with '\\' but no line follows", at: SourceSpan(start: start.0, length: 1), in: source))
        }
        guard chars[ahead] == "\n" else {
            throw .syntax(Diagnostic("'\\' continues a statement only at the end of a line",
                                     at: SourceSpan(start: start.0, length: 1), in: source))
        }
        while index <= ahead { advance() }
    }

    // MARK: Tokens

    private mutating func token(startingWith c: Character) throws(LoupeError) {
        let start = here()
        if c.isNumber && c.isASCII { return try number(from: start) }
        if c.isLetter || c == "_" { return name(from: start) }
        if c == "\"" { return try string(from: start) }
        advance()
        switch c {
        case "(", "[":
            brackets.append((c, SourceSpan(start: start.0, length: 1)))
            add(c == "(" ? .leftParen : .leftBracket, from: start)
        case ")", "]":
            let opener: Character = c == ")" ? "(" : "["
            guard let last = brackets.last else {
                throw .syntax(Diagnostic("'\(c)' without a matching '\(opener)'", at: SourceSpan(start: start.0, length: 1), in: source))
            }
            guard last.0 == opener else {
                throw .syntax(Diagnostic("'\(c)' does not match the '\(last.0)' opened at \(last.1.start)",
                                         at: SourceSpan(start: start.0, length: 1), in: source))
            }
            brackets.removeLast()
            add(c == ")" ? .rightParen : .rightBracket, from: start)
        case "{":
            openBraces += 1
            add(.leftBrace, from: start)
        case "}":
            openBraces -= 1
            add(.rightBrace, from: start)
        case ",": add(.comma, from: start)
        case ".": add(.dot, from: start)
        case "?": add(.question, from: start)
        case "+": add(.plus, from: start)
        case "-": add(.minus, from: start)
        case "*": add(.star, from: start)
        case "/": add(.slash, from: start)
        case "=":
            if peek() == "=" { advance(); add(.equal, from: start) } else { add(.assign, from: start) }
        case "!":
            guard peek() == "=" else {
                throw .syntax(Diagnostic("unexpected '!': write 'not' for negation, '!=' for inequality",
                                         at: SourceSpan(start: start.0, length: 1), in: source))
            }
            advance()
            add(.notEqual, from: start)
        case "<":
            if peek() == "=" { advance(); add(.lessEqual, from: start) } else { add(.less, from: start) }
        case ">":
            if peek() == "=" { advance(); add(.greaterEqual, from: start) } else { add(.greater, from: start) }
        default:
            throw .syntax(Diagnostic("unexpected character '\(c)'", at: SourceSpan(start: start.0, length: 1), in: source))
        }
    }

    private mutating func name(from start: (SourceLocation, Int)) {
        var text = ""
        while let c = peek(), c.isLetter || c.isNumber || c == "_" {
            text.append(c)
            advance()
        }
        if let keyword = Keyword(rawValue: text) { add(.keyword(keyword), from: start) } else { add(.name(text), from: start) }
    }

    private func isDigit(_ c: Character?) -> Bool { c.map { $0.isASCII && $0.isNumber } ?? false }

    /// `42`, `0.003`, `1e-4`, `80%` (= 0.8) and sizes `28x28`.
    private mutating func number(from start: (SourceLocation, Int)) throws(LoupeError) {
        var text = ""
        while isDigit(peek()) { text.append(peek()!); advance() }
        if peek() == "x", isDigit(peek(1)) {
            advance()
            var height = ""
            while isDigit(peek()) { height.append(peek()!); advance() }
            try rejectTrailingLetters(start)
            guard let width = Int(text), let h = Int(height), width > 0, h > 0 else {
                throw .syntax(Diagnostic("a size needs positive whole numbers, as in 28x28", at: span(from: start), in: source))
            }
            return add(.size(width: width, height: h), from: start)
        }
        if peek() == ".", isDigit(peek(1)) {
            text.append("."); advance()
            while isDigit(peek()) { text.append(peek()!); advance() }
        }
        if peek() == "e" || peek() == "E" {
            let signed = (peek(1) == "-" || peek(1) == "+") && isDigit(peek(2))
            if isDigit(peek(1)) || signed {
                text.append("e"); advance()
                if signed { text.append(peek()!); advance() }
                while isDigit(peek()) { text.append(peek()!); advance() }
            }
        }
        guard var value = Double(text) else {
            throw .syntax(Diagnostic("'\(text)' is not a number", at: span(from: start), in: source))
        }
        if peek() == "%" {
            advance()
            value /= 100
        }
        try rejectTrailingLetters(start)
        add(.number(value), from: start)
    }

    private func span(from start: (SourceLocation, Int)) -> SourceSpan {
        SourceSpan(start: start.0, length: max(1, column - start.0.column))
    }

    private mutating func rejectTrailingLetters(_ start: (SourceLocation, Int)) throws(LoupeError) {
        guard let c = peek(), c.isLetter || c == "_" || c.isNumber else { return }
        while let d = peek(), d.isLetter || d.isNumber || d == "_" || d == "." { advance() }
        throw .syntax(Diagnostic("'\(source.slice(from: start.1, to: index))' is neither a number nor a name "
                                 + "(names cannot start with a digit; sizes read like 28x28)",
                                 at: span(from: start), in: source))
    }

    /// A double-quoted string with escapes and `{expression}` interpolation; `{{` is a brace.
    private mutating func string(from start: (SourceLocation, Int)) throws(LoupeError) {
        advance()
        var pieces: [StringPiece] = []
        var text = ""
        func unterminated() -> LoupeError {
            .syntax(Diagnostic("unterminated string: add the closing '\"' on this line",
                               at: SourceSpan(start: start.0, length: 1), in: source))
        }
        while true {
            guard let c = peek(), c != "\n" else { throw unterminated() }
            if c == "\"" { advance(); break }
            if c == "\\" {
                let escapeStart = here()
                advance()
                guard let e = peek(), e != "\n" else { throw unterminated() }
                advance()
                switch e {
                case "\"": text.append("\"")
                case "\\": text.append("\\")
                case "n": text.append("\n")
                case "t": text.append("\t")
                case "{": text.append("{")
                case "}": text.append("}")
                default:
                    throw .syntax(Diagnostic("unknown escape '\\\(e)' (known: \\\" \\\\ \\n \\t)",
                                             at: SourceSpan(start: escapeStart.0, length: 2), in: source))
                }
            } else if c == "{" && peek(1) == "{" {
                advance(); advance()
                text.append("{")
            } else if c == "}" && peek(1) == "}" {
                advance(); advance()
                text.append("}")
            } else if c == "{" {
                let open = here()
                advance()
                let codeStart = here().0
                var code = ""
                var depth = 0
                var inString = false
                while true {
                    guard let d = peek(), d != "\n" else {
                        throw .syntax(Diagnostic("'{' in a string needs a matching '}' (write '{{' for a brace)",
                                                 at: SourceSpan(start: open.0, length: 1), in: source))
                    }
                    if d == "\\" && inString, let next = peek(1), next != "\n" {
                        code.append(d); advance(); code.append(next); advance()
                        continue
                    }
                    if d == "\"" { inString.toggle() }
                    if !inString && d == "{" { depth += 1 }
                    if !inString && d == "}" {
                        if depth == 0 { advance(); break }
                        depth -= 1
                    }
                    code.append(d)
                    advance()
                }
                if code.allSatisfy({ $0 == " " }) {
                    throw .syntax(Diagnostic("empty '{}' in a string (write '{{' for a brace)",
                                             at: SourceSpan(start: open.0, length: 2), in: source))
                }
                if !text.isEmpty { pieces.append(.text(text)); text = "" }
                pieces.append(.interpolation(code, codeStart))
            } else {
                text.append(c)
                advance()
            }
        }
        if !text.isEmpty || pieces.isEmpty { pieces.append(.text(text)) }
        add(.string(pieces), from: start)
    }
}
