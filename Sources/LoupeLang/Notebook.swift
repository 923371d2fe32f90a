import Foundation
import HTMLPages

/// A self-contained HTML page in notebook style: each statement, what it printed, and its
/// figures inline (PNG embedded as base64, so the page needs no other file; a figure file that is
/// gone shows as a `figure missing: PATH` line).
///
/// The script runner feeds it from `Interpreter.run`'s observer: `begin` before a statement,
/// `append(output:)` for what it prints, `end` with the figure paths of its result.
public final class Notebook {
    private struct Cell {
        var code: String
        var output = ""
        var figures: [String] = []
        var error: String?
    }

    private let title: String
    private var cells: [Cell] = []
    private var open = false

    public init(title: String) {
        self.title = title
    }

    public func begin(_ code: String) {
        cells.append(Cell(code: code))
        open = true
    }

    public func append(output: String) {
        guard open, !cells.isEmpty else { return }
        cells[cells.count - 1].output += output
    }

    public func end(figures: [String] = [], error: String? = nil) {
        guard open, !cells.isEmpty else { return }
        for path in figures where !cells[cells.count - 1].figures.contains(path) { cells[cells.count - 1].figures.append(path) }
        cells[cells.count - 1].error = error
        open = false
    }

    /// Shows a figure under the statement that made it; one redrawn in place appears once.
    public func append(figure path: String) {
        guard open, !cells.isEmpty, !cells[cells.count - 1].figures.contains(path) else { return }
        cells[cells.count - 1].figures.append(path)
    }

    /// A script that does not parse becomes one cell holding the error.
    public func fail(_ error: String) {
        cells.append(Cell(code: "", error: error))
    }

    /// Writes the page atomically (`FileWriting.write`), creating its folder.
    public func write(to path: String) throws {
        try FileWriting.write(Array(html().utf8), to: path)
    }

    /// The page: one section a statement (its code, what it printed, its figures, its error),
    /// written with HTMLPages like the reports, in the same style.
    public func html() -> String {
        var body = ""
        for (number, cell) in cells.enumerated() {
            body += "<section class=\"cell\">\n"
            if !cell.code.isEmpty {
                body += "<div class=\"in\"><span class=\"n\">[\(number + 1)]</span>\(HTML.preformatted(cell.code, class: "code"))</div>\n"
            }
            if !cell.output.isEmpty { body += HTML.preformatted(cell.output, class: "out") + "\n" }
            for path in cell.figures { body += HTML.figure(file: path) }
            if let error = cell.error { body += HTML.preformatted(error, class: "err") + "\n" }
            body += "</section>\n"
        }
        return HTML.page(title: "\(title) — Loupe notebook", heading: title, body: body)
    }
}

/// The page as a renderer of display events: text, warnings, rows and results under the
/// statement, figures inline; progress is left out (the page shows the finished state).
extension Notebook: DisplaySink {
    public func emit(_ event: DisplayEvent) {
        switch event {
        case .text(let text): append(output: text)
        case .warning(let text): append(output: "warning: \(text)\n")
        case .table(let table): append(output: table.formatted() + "\n")
        case .figure(let figure): append(figure: figure.path)
        case .result(let value):
            if !value.isNone { append(output: value.display + "\n") }
            for path in value.figurePaths { append(figure: path) }
        case .row(let row): append(output: row.line + "\n")
        case .help(let text): append(output: text + "\n")
        case .clear:
            if open, !cells.isEmpty { cells[cells.count - 1].output = ""; cells[cells.count - 1].figures = [] }
        case .progressStarted, .progressUpdated, .progressFinished: break
        }
    }
}
