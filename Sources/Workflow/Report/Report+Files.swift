import Foundation
import LoupeBase
import Imaging

/// Writing a report to disk: one self-contained HTML file, or Markdown with its PNG files beside it.
extension Report {
    /// Writes the self-contained HTML report (atomically: a failed write leaves any previous file intact).
    public func writeHTML(to path: String) throws(ReportError) {
        try Report.writeAtomically(Array(html().utf8), to: path)
    }

    /// Writes the Markdown twin and its figures as `<name>-<n>-<figure>.png` in the same folder; returns every path written.
    @discardableResult
    public func writeMarkdown(to path: String) throws(ReportError) -> [String] {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let stem = url.deletingPathExtension().lastPathComponent
        let (text, files) = try markdown(figurePrefix: stem)
        var written: [String] = []
        for file in files {
            let figurePath = folder + "/" + file.name
            try Report.writeAtomically(file.png, to: figurePath)
            written.append(figurePath)
        }
        try Report.writeAtomically(Array(text.utf8), to: path)
        written.append(path)
        return written
    }

    static func encode(_ figure: ReportFigure) throws(ReportError) -> [UInt8] {
        do {
            return try PNG.encode(figure.image)
        } catch {
            throw .figureEncoding(figure: figure.name.isEmpty ? figure.caption : figure.name, reason: "\(error)")
        }
    }

    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(ReportError) {
        do {
            try AtomicWrite.write(bytes, to: path)
        } catch {
            // A file where a folder is needed reads ENOTDIR; say which file.
            let folderInTheWay = fileWriteReason(CocoaError(.fileWriteUnknown), path: path)
            throw .cannotWrite(path: path, reason: folderInTheWay.hasSuffix("a folder is needed there") ? folderInTheWay : error.reason)
        }
    }

    /// Every figure in document order, with the path of section titles leading to it.
    var figures: [ReportFigure] {
        func collect(_ s: ReportSection) -> [ReportFigure] {
            s.blocks.compactMap { if case .figure(let f) = $0 { f } else { nil } } + s.subsections.flatMap(collect)
        }
        return sections.flatMap(collect)
    }
}
