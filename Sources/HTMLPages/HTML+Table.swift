/// Tables: a data table with a header row, and a key/value table.
extension HTML {
    /// A data table: `columns` as the header row, every cell escaped, a row shorter than the
    /// header padded with empty cells; columns flagged in `numeric` are right-aligned with
    /// tabular figures. Wrapped so that a wide table scrolls instead of the page.
    public static func table(columns: [String], rows: [[String]], numeric: [Bool] = [], caption: String = "") -> String {
        let isNumeric = { (i: Int) in i < numeric.count && numeric[i] }
        var out = "<div class=\"table-wrap\"><table class=\"data\">\n"
        if !caption.isEmpty { out += "<caption>\(escape(caption))</caption>\n" }
        out += "<thead><tr>"
        for (i, c) in columns.enumerated() { out += "<th\(isNumeric(i) ? " class=\"num\"" : "")>\(escape(c))</th>" }
        out += "</tr></thead>\n<tbody>\n"
        for row in rows {
            out += "<tr>"
            for i in 0..<max(row.count, columns.count) {
                out += "<td\(isNumeric(i) ? " class=\"num\"" : "")>\(escape(i < row.count ? row[i] : ""))</td>"
            }
            out += "</tr>\n"
        }
        return out + "</tbody>\n</table></div>\n"
    }

    /// A two-column table of names and values, the names as row headers.
    public static func keyValueTable(_ pairs: [(key: String, value: String)]) -> String {
        var out = "<table class=\"kv\">\n<tbody>\n"
        for p in pairs { out += "<tr><th scope=\"row\">\(escape(p.key))</th><td>\(escape(p.value))</td></tr>\n" }
        return out + "</tbody>\n</table>\n"
    }
}
