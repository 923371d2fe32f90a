import Foundation
import LoupeBase

/// The Markdown twin: the same document, figures as PNG files referenced by relative path.
extension Report {
    /// A figure file for the Markdown twin.
    public struct FigureFile: Sendable {
        public var name: String
        public var png: [UInt8]
    }

    /// The Markdown text and the PNG files it refers to, named `<figurePrefix>-<n>-<figure>.png`.
    public func markdown(figurePrefix: String) throws(ReportError) -> (text: String, files: [FigureFile]) {
        var out = "# \(Report.escapeMarkdown(title))\n\n"
        if !subtitle.isEmpty { out += "*\(Report.escapeMarkdown(subtitle))*\n\n" }
        var files: [FigureFile] = []
        for s in sections { try Report.appendMarkdown(s, level: 2, prefix: figurePrefix, to: &out, files: &files) }
        while out.hasSuffix("\n\n") { out.removeLast() }
        return (out, files)
    }

    private static func appendMarkdown(_ section: ReportSection, level: Int, prefix: String, to out: inout String,
                                       files: inout [FigureFile]) throws(ReportError) {
        out += String(repeating: "#", count: min(level, 6)) + " \(escapeMarkdown(section.title))\n\n"
        for block in section.blocks {
            switch block {
            case .paragraph(let text):
                out += escapeMarkdown(text) + "\n\n"
            case .keyValues(let pairs):
                out += "| | |\n|---|---|\n"
                for p in pairs { out += "| **\(escapeCell(p.key))** | \(escapeCell(p.value)) |\n" }
                out += "\n"
            case .table(let table):
                let numeric = table.columns.indices.map { table.isNumeric(column: $0) }
                out += "| " + table.columns.map(escapeCell).joined(separator: " | ") + " |\n"
                out += "|" + numeric.map { $0 ? "---:|" : "---|" }.joined() + "\n"
                for row in table.rows {
                    let cells = table.columns.indices.map { $0 < row.count ? escapeCell(row[$0]) : "" }
                    out += "| " + cells.joined(separator: " | ") + " |\n"
                }
                if !table.caption.isEmpty { out += "\n*\(escapeMarkdown(table.caption))*\n" }
                out += "\n"
            case .figure(let figure):
                let n = files.count + 1
                let tag = slug(figure.name.isEmpty ? figure.caption : figure.name)
                let name = "\(prefix)-\(n)" + (tag.isEmpty ? "" : "-\(tag)") + ".png"
                files.append(FigureFile(name: name, png: try encode(figure)))
                let alt = escapeMarkdown(figure.caption).replacingOccurrences(of: "\n", with: " ")
                out += "![\(alt)](\(name))\n\n*Figure \(n). \(escapeMarkdown(figure.caption))*\n\n"
            case .warning(let text):
                out += "> **Warning:** \(escapeMarkdown(text))\n\n"
            case .code(let text):
                // A fence longer than any backtick run inside keeps the block closed.
                var fence = "```"
                while text.contains(fence) { fence += "`" }
                out += "\(fence)\n\(text)\n\(fence)\n\n"
            }
        }
        for sub in section.subsections {
            try appendMarkdown(sub, level: level + 1, prefix: prefix, to: &out, files: &files)
        }
    }

    /// Text with Markdown's inline markup characters escaped, so names like `dog_breed_1` stay literal.
    static func escapeMarkdown(_ text: String) -> String {
        var out = ""
        for c in text {
            if "\\`*_[]<>#|".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// A table cell: escaped, and on one line.
    static func escapeCell(_ text: String) -> String {
        escapeMarkdown(text).replacingOccurrences(of: "\n", with: " ")
    }
}
