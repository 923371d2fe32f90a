import Foundation

/// A self-contained HTML page in notebook style: each statement, what it printed, and its
/// figures inline (PNG embedded as base64, so the page needs no other file).
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

    public func write(to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(html().utf8).write(to: url, options: .atomic)
    }

    public func html() -> String {
        var body = ""
        for (number, cell) in cells.enumerated() {
            body += "<section class=\"cell\">\n"
            if !cell.code.isEmpty {
                body += "<div class=\"in\"><span class=\"n\">[\(number + 1)]</span><pre class=\"code\">\(escape(cell.code))</pre></div>\n"
            }
            if !cell.output.isEmpty { body += "<pre class=\"out\">\(escape(cell.output))</pre>\n" }
            for path in cell.figures { body += figure(path) }
            if let error = cell.error { body += "<pre class=\"err\">\(escape(error))</pre>\n" }
            body += "</section>\n"
        }
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escape(title)) — Loupe notebook</title>
        <style>
        body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
        h1{font-size:1.3rem}.cell{border-left:3px solid #ccd;margin:1rem 0;padding:.2rem .8rem}
        .in{display:flex;gap:.6rem}.n{color:#889;font-family:monospace;padding-top:.2rem}
        pre{margin:.3rem 0;white-space:pre-wrap}.code{background:#f4f5f8;padding:.3rem .5rem;flex:1}
        .out{color:#333}.err{color:#a00}img{max-width:100%;display:block;margin:.4rem 0}
        </style></head><body>
        <h1>\(escape(title))</h1>
        \(body)</body></html>

        """
    }

    private func figure(_ path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            return "<p class=\"err\">figure missing: \(escape(path))</p>\n"
        }
        return "<figure><img alt=\"\(escape(path))\" src=\"data:image/png;base64,\(data.base64EncodedString())\">"
            + "<figcaption>\(escape(path))</figcaption></figure>\n"
    }

    private func escape(_ text: String) -> String { HTML.escape(text) }
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

/// Text for HTML pages and notebook outputs.
public enum HTML {
    /// `&`, `<`, `>` and `"` escaped, so text shows as written inside elements and attributes.
    public static func escape(_ text: String) -> String {
        var result = ""
        for c in text {
            switch c {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            default: result.append(c)
            }
        }
        return result
    }
}
