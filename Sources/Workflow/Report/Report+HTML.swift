import Foundation
import LoupeBase

/// The self-contained HTML form: inline CSS, figures as base64 PNG data URIs, nothing fetched from anywhere.
extension Report {
    /// The whole document as one HTML string.
    public func html() throws(ReportError) -> String {
        var out = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(Report.escapeHTML(title))</title>
        <style>
        \(Report.css)
        </style>
        </head>
        <body>
        <main>
        <header>
        <h1>\(Report.escapeHTML(title))</h1>

        """
        if !subtitle.isEmpty { out += "<p class=\"subtitle\">\(Report.escapeHTML(subtitle))</p>\n" }
        out += "</header>\n"
        if sections.count > 1 {
            out += "<nav aria-label=\"Contents\"><ol>\n"
            for (i, s) in sections.enumerated() {
                out += "<li><a href=\"#\(Report.anchor(i, s.title))\">\(Report.escapeHTML(s.title))</a></li>\n"
            }
            out += "</ol></nav>\n"
        }
        var figureNumber = 0
        for (i, s) in sections.enumerated() {
            try Report.appendHTML(s, id: Report.anchor(i, s.title), level: 2, to: &out, figureNumber: &figureNumber)
        }
        out += "</main>\n</body>\n</html>\n"
        return out
    }

    static func anchor(_ index: Int, _ title: String) -> String {
        let s = slug(title)
        return "s\(index + 1)" + (s.isEmpty ? "" : "-" + s)
    }

    private static func appendHTML(_ section: ReportSection, id: String?, level: Int, to out: inout String,
                                   figureNumber: inout Int) throws(ReportError) {
        let h = min(level, 6)
        out += "<section\(id.map { " id=\"\($0)\"" } ?? "")>\n<h\(h)>\(escapeHTML(section.title))</h\(h)>\n"
        for block in section.blocks {
            switch block {
            case .paragraph(let text):
                out += "<p>\(escapeHTML(text))</p>\n"
            case .keyValues(let pairs):
                out += "<table class=\"kv\">\n<tbody>\n"
                for p in pairs {
                    out += "<tr><th scope=\"row\">\(escapeHTML(p.key))</th><td>\(escapeHTML(p.value))</td></tr>\n"
                }
                out += "</tbody>\n</table>\n"
            case .table(let table):
                appendTable(table, to: &out)
            case .figure(let figure):
                figureNumber += 1
                let png = try encode(figure)
                let width = figure.image.width / figure.pixelRatio
                out += "<figure>\n<img src=\"data:image/png;base64,\(Data(png).base64EncodedString())\" "
                    + "width=\"\(width)\" alt=\"\(escapeHTML(figure.caption))\">\n"
                out += "<figcaption><span class=\"label\">Figure \(figureNumber).</span> \(escapeHTML(figure.caption))</figcaption>\n</figure>\n"
            case .warning(let text):
                out += "<div class=\"warning\" role=\"note\"><strong>Warning</strong> \(escapeHTML(text))</div>\n"
            case .code(let text):
                out += "<pre><code>\(escapeHTML(text))</code></pre>\n"
            }
        }
        for sub in section.subsections {
            try appendHTML(sub, id: nil, level: level + 1, to: &out, figureNumber: &figureNumber)
        }
        out += "</section>\n"
    }

    private static func appendTable(_ table: ReportTable, to out: inout String) {
        let numeric = table.columns.indices.map { table.isNumeric(column: $0) }
        out += "<div class=\"table-wrap\"><table class=\"data\">\n"
        if !table.caption.isEmpty { out += "<caption>\(escapeHTML(table.caption))</caption>\n" }
        out += "<thead><tr>"
        for (i, c) in table.columns.enumerated() { out += "<th\(numeric[i] ? " class=\"num\"" : "")>\(escapeHTML(c))</th>" }
        out += "</tr></thead>\n<tbody>\n"
        for row in table.rows {
            out += "<tr>"
            for i in 0..<max(row.count, table.columns.count) {
                let cell = i < row.count ? row[i] : ""
                out += "<td\(i < numeric.count && numeric[i] ? " class=\"num\"" : "")>\(escapeHTML(cell))</td>"
            }
            out += "</tr>\n"
        }
        out += "</tbody>\n</table></div>\n"
    }

    /// Text made safe inside HTML elements and attribute values.
    static func escapeHTML(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// Inline style sheet: system fonts only (nothing to download), readable line length, quiet tables.
    static let css = """
    :root { --ink: #222; --muted: #5f6368; --rule: #e3e3e3; --accent: #0072b2; --warn-bg: #fff4e5; --warn: #b35900; }
    * { box-sizing: border-box; }
    body { margin: 0; background: #fafafa; color: var(--ink);
      font: 16px/1.55 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; }
    main { max-width: 1000px; margin: 0 auto; padding: 40px 32px 64px; background: #fff; min-height: 100vh; }
    header { border-bottom: 2px solid var(--ink); margin-bottom: 24px; padding-bottom: 12px; }
    h1 { font-size: 30px; line-height: 1.2; margin: 0 0 4px; }
    .subtitle { color: var(--muted); margin: 0; }
    h2 { font-size: 22px; margin: 40px 0 12px; padding-bottom: 4px; border-bottom: 1px solid var(--rule); }
    h3 { font-size: 18px; margin: 28px 0 8px; }
    h4, h5, h6 { font-size: 16px; margin: 20px 0 6px; }
    p { margin: 0 0 12px; max-width: 72ch; }
    nav ol { margin: 0 0 8px; padding-left: 22px; color: var(--muted); }
    nav a { color: var(--accent); text-decoration: none; }
    nav a:hover { text-decoration: underline; }
    table { border-collapse: collapse; margin: 8px 0 20px; font-size: 15px; }
    .table-wrap { overflow-x: auto; }
    th, td { padding: 5px 12px; text-align: left; vertical-align: top; }
    table.kv th { color: var(--muted); font-weight: 500; padding-left: 0; white-space: nowrap; }
    table.kv tr + tr th, table.kv tr + tr td { border-top: 1px solid var(--rule); }
    table.data thead th { border-bottom: 2px solid var(--ink); font-weight: 600; }
    table.data td { border-bottom: 1px solid var(--rule); }
    table.data tbody tr:nth-child(even) { background: #f7f7f7; }
    caption { caption-side: top; text-align: left; color: var(--muted); padding-bottom: 4px; }
    .num { text-align: right; font-variant-numeric: tabular-nums; }
    figure { margin: 16px 0 28px; }
    figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--rule); }
    figcaption { color: var(--muted); font-size: 14px; margin-top: 6px; }
    figcaption .label { font-weight: 600; color: var(--ink); }
    .warning { background: var(--warn-bg); border-left: 4px solid var(--warn); padding: 10px 14px; margin: 12px 0; }
    .warning strong { color: var(--warn); margin-right: 6px; }
    pre { background: #f4f4f4; padding: 12px 14px; overflow-x: auto; font-size: 14px; line-height: 1.45; }
    code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
    @media print { body { background: #fff; } main { padding: 0; } }
    """
}
