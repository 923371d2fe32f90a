import HTMLPages
import LoupeBase

/// The self-contained HTML form, written with HTMLPages (the page, its one stylesheet, escaping,
/// tables, figures as base64 PNG data URIs): nothing fetched from anywhere.
extension Report {
    /// The whole document as one HTML string.
    public func html() throws(ReportError) -> String {
        var body = ""
        if sections.count > 1 {
            body += "<nav aria-label=\"Contents\"><ol>\n"
            for (i, s) in sections.enumerated() {
                body += "<li><a href=\"#\(Report.anchor(i, s.title))\">\(HTML.escape(s.title))</a></li>\n"
            }
            body += "</ol></nav>\n"
        }
        var figureNumber = 0
        for (i, s) in sections.enumerated() {
            try Report.appendHTML(s, id: Report.anchor(i, s.title), level: 2, to: &body, figureNumber: &figureNumber)
        }
        return HTML.page(title: title, heading: title, subtitle: subtitle, body: body)
    }

    static func anchor(_ index: Int, _ title: String) -> String {
        let s = slug(title)
        return "s\(index + 1)" + (s.isEmpty ? "" : "-" + s)
    }

    private static func appendHTML(_ section: ReportSection, id: String?, level: Int, to out: inout String,
                                   figureNumber: inout Int) throws(ReportError) {
        let h = min(level, 6)
        out += "<section\(id.map { " id=\"\($0)\"" } ?? "")>\n<h\(h)>\(HTML.escape(section.title))</h\(h)>\n"
        for block in section.blocks {
            switch block {
            case .paragraph(let text):
                out += "<p>\(HTML.escape(text))</p>\n"
            case .keyValues(let pairs):
                out += HTML.keyValueTable(pairs.map { ($0.key, $0.value) })
            case .table(let table):
                out += HTML.table(columns: table.columns, rows: table.rows,
                                  numeric: table.columns.indices.map { table.isNumeric(column: $0) }, caption: table.caption)
            case .figure(let figure):
                figureNumber += 1
                out += HTML.figure(png: try encode(figure), alt: figure.caption,
                                   caption: "<span class=\"label\">Figure \(figureNumber).</span> \(HTML.escape(figure.caption))",
                                   width: figure.image.width / figure.pixelRatio)
            case .warning(let text):
                out += "<div class=\"warning\" role=\"note\"><strong>Warning</strong> \(HTML.escape(text))</div>\n"
            case .code(let text):
                out += HTML.preformatted(text, code: true) + "\n"
            }
        }
        for sub in section.subsections {
            try appendHTML(sub, id: nil, level: level + 1, to: &out, figureNumber: &figureNumber)
        }
        out += "</section>\n"
    }
}
