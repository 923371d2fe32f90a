/// One lexical unit of Loupe source, with where it starts.
public struct Token: Sendable, Equatable {
    public var kind: TokenKind
    public var span: SourceSpan
    /// Character offsets of the token in the source text (end is exclusive); statements use
    /// them to recover their text for `history` and `save_session`.
    public var offset: Int
    public var endOffset: Int

    public init(kind: TokenKind, span: SourceSpan, offset: Int, endOffset: Int) {
        self.kind = kind
        self.span = span
        self.offset = offset
        self.endOffset = endOffset
    }
}

/// A piece of a string literal: plain text, or the source of a `{expression}`.
public enum StringPiece: Sendable, Equatable {
    case text(String)
    /// The expression's source and where it starts, so its errors point into the string.
    case interpolation(String, SourceLocation)
}

/// The kinds of tokens.
public enum TokenKind: Sendable, Equatable {
    case name(String)
    case keyword(Keyword)
    case number(Double)
    case size(width: Int, height: Int)
    case string([StringPiece])
    case leftParen, rightParen, leftBracket, rightBracket, leftBrace, rightBrace
    case comma, dot, assign, question
    case plus, minus, star, slash
    case equal, notEqual, less, lessEqual, greater, greaterEqual
    case newline
    case end

    /// How the token reads in a message ("expected ')' but found 'x'").
    public var display: String {
        switch self {
        case .name(let name): return "'\(name)'"
        case .keyword(let keyword): return "'\(keyword.rawValue)'"
        case .number: return "a number"
        case .size: return "a size"
        case .string: return "a string"
        case .leftParen: return "'('"
        case .rightParen: return "')'"
        case .leftBracket: return "'['"
        case .rightBracket: return "']'"
        case .leftBrace: return "'{'"
        case .rightBrace: return "'}'"
        case .comma: return "','"
        case .dot: return "'.'"
        case .assign: return "'='"
        case .question: return "'?'"
        case .plus: return "'+'"
        case .minus: return "'-'"
        case .star: return "'*'"
        case .slash: return "'/'"
        case .equal: return "'=='"
        case .notEqual: return "'!='"
        case .less: return "'<'"
        case .lessEqual: return "'<='"
        case .greater: return "'>'"
        case .greaterEqual: return "'>='"
        case .newline: return "the end of the line"
        case .end: return "the end of the input"
        }
    }
}

/// Words with a fixed meaning; they cannot name variables.
public enum Keyword: String, Sendable, CaseIterable {
    case `true`, `false`, none, and, or, not, `for`, `in`, `if`, `else`, print, time
}
