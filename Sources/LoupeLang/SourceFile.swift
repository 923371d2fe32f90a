/// A piece of Loupe source text with the name it is reported under (`train.loupe`, `<stdin>`).
///
/// Diagnostics need the original line to print it under the message, so the text is kept
/// split into lines once.
public struct SourceFile: Sendable {
    /// The name printed in diagnostics: a path, or `<stdin>` for the REPL.
    public let name: String
    /// The whole text.
    public let text: String
    /// The text as characters, indexed by the offsets tokens carry. A Windows line end
    /// (`\r\n`, one `Character` in Swift) reads as `\n`, so CRLF scripts lex like LF ones.
    let characters: [Character]
    /// The lines of the text without their line breaks (line 1 is `lines[0]`).
    public let lines: [String]

    public init(name: String, text: String) {
        self.name = name
        self.text = text
        self.characters = text.map { $0 == "\r\n" ? "\n" : $0 }
        self.lines = self.characters.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.last == "\r" ? String(line.dropLast()) : String(line)
        }
    }

    /// The text of line `number` (1-based), or an empty string past the end.
    public func line(_ number: Int) -> String {
        number >= 1 && number <= lines.count ? lines[number - 1] : ""
    }

    /// The characters between two offsets, as typed.
    func slice(from start: Int, to end: Int) -> String {
        let lower = max(0, min(start, characters.count))
        let upper = max(lower, min(end, characters.count))
        return String(characters[lower..<upper])
    }
}

/// A position in a source file: 1-based line and column (columns count characters).
public struct SourceLocation: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

/// A run of characters on one line that a diagnostic underlines.
public struct SourceSpan: Sendable, Equatable {
    public var start: SourceLocation
    /// Number of characters underlined (at least 1 when printed).
    public var length: Int

    public init(start: SourceLocation, length: Int) {
        self.start = start
        self.length = length
    }

    public init(line: Int, column: Int, length: Int) {
        self.init(start: SourceLocation(line: line, column: column), length: length)
    }

    /// The span from the start of `self` to the end of `other` when both sit on one line;
    /// otherwise `self` extended to the end of its line is not knowable here, so `self` is kept.
    public func through(_ other: SourceSpan) -> SourceSpan {
        guard other.start.line == start.line, other.start.column >= start.column else { return self }
        return SourceSpan(start: start, length: other.start.column + other.length - start.column)
    }
}
