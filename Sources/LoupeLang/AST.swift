/// The syntax tree the parser builds and the interpreter walks (stage 2 → 3).

/// An expression with the span a diagnostic underlines for it.
public struct Expression: Sendable, Equatable {
    public indirect enum Kind: Sendable, Equatable {
        case number(Double)
        case size(width: Int, height: Int)
        case string([StringSegment])
        case bool(Bool)
        case none
        case name(String)
        case list([Expression])
        case tuple([Expression])
        case attribute(Expression, name: String, nameSpan: SourceSpan)
        case index(Expression, Expression)
        case unary(UnaryOperator, Expression)
        case binary(BinaryOperator, Expression, Expression, operatorSpan: SourceSpan)
        /// A command call in parentheses, e.g. `((evaluate m d.test).accuracy)`.
        case command(CommandCall)
    }

    public var kind: Kind
    public var span: SourceSpan

    public init(_ kind: Kind, span: SourceSpan) {
        self.kind = kind
        self.span = span
    }
}

/// A piece of a parsed string: text, or an interpolated expression.
public enum StringSegment: Sendable, Equatable {
    case text(String)
    case expression(Expression)
}

public enum UnaryOperator: String, Sendable {
    case negate = "-"
    case not
}

public enum BinaryOperator: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/"
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case and, or
}

/// `COMMAND ARG... KEY=VALUE...`
public struct CommandCall: Sendable, Equatable {
    public var name: String
    public var nameSpan: SourceSpan
    public var arguments: [Argument]

    public init(name: String, nameSpan: SourceSpan, arguments: [Argument]) {
        self.name = name
        self.nameSpan = nameSpan
        self.arguments = arguments
    }

    /// From the command name to the end of the last argument on the same line.
    public var span: SourceSpan {
        arguments.last.map { nameSpan.through($0.value.span) } ?? nameSpan
    }
}

/// One argument of a command call: positional (`label == nil`) or `key=value`.
public struct Argument: Sendable, Equatable {
    public var label: String?
    public var labelSpan: SourceSpan?
    public var value: Expression

    public init(label: String?, labelSpan: SourceSpan?, value: Expression) {
        self.label = label
        self.labelSpan = labelSpan
        self.value = value
    }

    /// The span a diagnostic about this argument underlines: the key when there is one.
    public var span: SourceSpan { labelSpan ?? value.span }
}

/// A statement, with its text as typed (for `history` and `save_session`).
public struct Statement: Sendable, Equatable {
    public indirect enum Kind: Sendable, Equatable {
        case assignment(name: String, nameSpan: SourceSpan, value: Expression)
        case command(CommandCall)
        case expression(Expression)
        case print([Expression])
        case forLoop(variable: String, variableSpan: SourceSpan, sequence: Expression, body: [Statement])
        case ifElse(condition: Expression, then: [Statement], otherwise: [Statement]?)
        case time(Statement)
    }

    public var kind: Kind
    /// Where the statement starts (its first token).
    public var span: SourceSpan
    public var text: String

    public init(_ kind: Kind, span: SourceSpan, text: String) {
        self.kind = kind
        self.span = span
        self.text = text
    }
}
