/// A script cut into notebook cells: one cell per blank-line-separated block (never inside an
/// open bracket or brace), comment lines that lead a block becoming a Markdown cell of their own.
public struct NotebookCell: Equatable, Sendable {
    public enum Kind: Sendable { case code, markdown }
    public var kind: Kind
    /// The cell's text: code as written; Markdown without the leading `# `.
    public var text: String
    /// 1-based lines of the script the cell holds.
    public var lines: ClosedRange<Int>

    public init(kind: Kind, text: String, lines: ClosedRange<Int>) {
        self.kind = kind
        self.text = text
        self.lines = lines
    }

    /// Cells of `script`, in order.
    public static func split(_ script: String) -> [NotebookCell] {
        let lines = script.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var cells: [NotebookCell] = []
        var block: [(number: Int, text: String)] = []

        func flush() {
            guard !block.isEmpty else { return }
            defer { block = [] }
            var comments: [(number: Int, text: String)] = []
            var rest = block[...]
            while let first = rest.first, first.text.trimmingLeadingSpaces.hasPrefix("#") {
                comments.append(first)
                rest = rest.dropFirst()
            }
            if !comments.isEmpty {
                let text = comments.map { line -> String in
                    var t = Substring(line.text.trimmingLeadingSpaces.dropFirst())
                    if t.first == " " { t = t.dropFirst() }
                    return String(t)
                }.joined(separator: "\n")
                cells.append(NotebookCell(kind: .markdown, text: text, lines: comments.first!.number...comments.last!.number))
            }
            if let first = rest.first, let last = rest.last {
                cells.append(NotebookCell(kind: .code, text: rest.map(\.text).joined(separator: "\n"), lines: first.number...last.number))
            }
        }

        for (i, line) in lines.enumerated() {
            if line.allSatisfy(\.isWhitespace) {
                // A blank line inside an open block (`for … {`) stays in the cell.
                if block.isEmpty { continue }
                if !Lexer.needsMoreInput(block.map(\.text).joined(separator: "\n")) { flush(); continue }
            }
            block.append((i + 1, line))
        }
        flush()
        return cells
    }
}

extension String {
    var trimmingLeadingSpaces: Substring { drop(while: { $0 == " " || $0 == "\t" }) }
}
