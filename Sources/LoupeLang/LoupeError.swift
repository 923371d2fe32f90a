/// What a diagnostic points at: the file name, the place, and the line as typed.
public struct Diagnostic: Sendable, Equatable {
    public var file: String
    public var span: SourceSpan?
    /// The source line the span sits on, printed under the message.
    public var sourceLine: String?
    public var message: String

    public init(file: String, span: SourceSpan?, sourceLine: String?, message: String) {
        self.file = file
        self.span = span
        self.sourceLine = sourceLine
        self.message = message
    }

    public init(_ message: String, at span: SourceSpan?, in source: SourceFile) {
        self.init(file: source.name, span: span, sourceLine: span.map { source.line($0.start.line) },
                  message: message)
    }

    /// `file:line:col: error: message`, the line, and a caret with `~` under the span.
    ///
    /// Tabs in the line are kept in the underline's padding so the caret stays aligned.
    public var formatted: String {
        guard let span else { return "\(file): error: \(message)" }
        var text = "\(file):\(span.start.line):\(span.start.column): error: \(message)"
        if let sourceLine, !sourceLine.isEmpty {
            let padding = sourceLine.prefix(max(0, span.start.column - 1)).map { $0 == "\t" ? "\t" : " " }
            let available = max(1, sourceLine.count - (span.start.column - 1))
            let width = max(1, min(span.length, available))
            text += "\n    \(sourceLine)\n    \(padding.joined())^\(String(repeating: "~", count: width - 1))"
        }
        return text
    }
}

/// Everything that stops a Loupe statement, with where it came from.
///
/// The case decides the exit code of `loupe run`: a script that does not parse (65), a file
/// that cannot be read (66), a command that failed while running (70), an interruption (130).
public enum LoupeError: Error, Sendable, Equatable, CustomStringConvertible {
    case syntax(Diagnostic)
    case runtime(Diagnostic)
    case unreadableFile(Diagnostic)
    case interrupted(Diagnostic)

    public var diagnostic: Diagnostic {
        switch self {
        case .syntax(let d), .runtime(let d), .unreadableFile(let d), .interrupted(let d): return d
        }
    }

    /// The exit code `loupe run` returns for this error.
    public var exitCode: Int32 {
        switch self {
        case .syntax: return 65
        case .unreadableFile: return 66
        case .runtime: return 70
        case .interrupted: return 130
        }
    }

    public var message: String { diagnostic.message }

    /// The full text a user sees: location, message, source line and underline.
    public var description: String { diagnostic.formatted }
}

/// How a failure inside a command should be reported.
public enum FailureKind: Sendable, Equatable {
    case runtime
    case unreadableFile
    case interrupted
}

/// An error other layers can throw from a command so that Loupe reports it well.
///
/// Any other error is reported with its `description` as a runtime error; conforming lets a
/// layer say that a file could not be read (exit 66) or which argument was at fault (the
/// caret then points at that argument).
public protocol LoupeReportableError: Error {
    /// One sentence that names the thing at fault and what to do.
    var userMessage: String { get }
    var failureKind: FailureKind { get }
    /// The parameter whose argument caused the failure, if one did.
    var parameter: String? { get }
}

extension LoupeReportableError {
    public var failureKind: FailureKind { .runtime }
    public var parameter: String? { nil }
}

/// Errors command implementations throw for the common cases.
public enum CommandError: LoupeReportableError, Equatable, CustomStringConvertible {
    /// An argument has the right type but an unusable value (`epochs=0`).
    case invalidArgument(parameter: String, message: String)
    /// A file the command needs cannot be read.
    case unreadableFile(path: String, reason: String)
    /// The command stopped because the user pressed Ctrl-C.
    case interrupted
    /// Anything else, said in a sentence.
    case failed(String)

    public var userMessage: String {
        switch self {
        case .invalidArgument(let parameter, let message): return "'\(parameter)': \(message)"
        case .unreadableFile(let path, let reason): return "cannot read '\(path)': \(reason)"
        case .interrupted: return "interrupted"
        case .failed(let message): return message
        }
    }

    public var failureKind: FailureKind {
        switch self {
        case .unreadableFile: return .unreadableFile
        case .interrupted: return .interrupted
        default: return .runtime
        }
    }

    public var parameter: String? {
        if case .invalidArgument(let parameter, _) = self { return parameter }
        return nil
    }

    public var description: String { userMessage }
}
