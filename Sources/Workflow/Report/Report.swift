import Foundation
import Imaging

/// A document of sections holding paragraphs, tables, figures and warnings, written as HTML and Markdown.
///
/// It knows nothing of machine learning: Workflow code fills it with what a run produced.
public struct Report: Sendable {
    public var title: String
    /// A line under the title (date, model, dataset).
    public var subtitle: String
    public var sections: [ReportSection]

    public init(title: String, subtitle: String = "", sections: [ReportSection] = []) {
        self.title = title
        self.subtitle = subtitle
        self.sections = sections
    }

    /// Appends a section and returns its index (to add subsections later).
    @discardableResult
    public mutating func add(_ section: ReportSection) -> Int {
        sections.append(section)
        return sections.count - 1
    }
}

/// A titled part of a report; subsections render one heading level lower.
public struct ReportSection: Sendable {
    public var title: String
    public var blocks: [ReportBlock]
    public var subsections: [ReportSection]

    public init(_ title: String, blocks: [ReportBlock] = [], subsections: [ReportSection] = []) {
        self.title = title
        self.blocks = blocks
        self.subsections = subsections
    }

    public mutating func paragraph(_ text: String) { blocks.append(.paragraph(text)) }
    public mutating func keyValues(_ pairs: [(String, String)]) { blocks.append(.keyValues(pairs.map { KeyValue($0.0, $0.1) })) }
    public mutating func table(_ table: ReportTable) { blocks.append(.table(table)) }
    public mutating func figure(_ figure: ReportFigure) { blocks.append(.figure(figure)) }
    public mutating func warning(_ text: String) { blocks.append(.warning(text)) }
    public mutating func code(_ text: String) { blocks.append(.code(text)) }
}

/// One piece of content inside a section.
public enum ReportBlock: Sendable {
    /// Plain text; blank lines are not special (use several paragraphs).
    case paragraph(String)
    /// A two-column table of names and values (hyperparameters, dataset facts).
    case keyValues([KeyValue])
    case table(ReportTable)
    case figure(ReportFigure)
    /// Something the reader must not miss (class imbalance, a diverged run).
    case warning(String)
    /// Preformatted text (a replayable script, a configuration).
    case code(String)
}

/// A name and its value, both already formatted as text.
public struct KeyValue: Sendable, Equatable {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}

/// A table with a header row; columns whose cells are all numbers are right-aligned.
public struct ReportTable: Sendable, Equatable {
    public var columns: [String]
    public var rows: [[String]]
    /// Shown above (HTML) or below (Markdown) the table; empty for none.
    public var caption: String

    public init(columns: [String], rows: [[String]], caption: String = "") {
        self.columns = columns
        self.rows = rows
        self.caption = caption
    }

    /// Whether every non-empty cell of column `index` reads as a number (digits, sign, point, exponent, %).
    public func isNumeric(column index: Int) -> Bool {
        let cells = rows.compactMap { $0.indices.contains(index) ? $0[index] : nil }.filter { !$0.isEmpty }
        return !cells.isEmpty && cells.allSatisfy { cell in
            let trimmed = cell.hasSuffix("%") ? String(cell.dropLast()) : cell
            return Double(trimmed.replacingOccurrences(of: ",", with: "")) != nil
        }
    }
}

/// An image shown in a report with a caption; `name` becomes part of its PNG file name in the Markdown twin.
public struct ReportFigure: Sendable {
    public var image: Image
    public var caption: String
    public var name: String
    /// Pixels per CSS pixel: 2 for a figure rendered at scale 2, so it shows at its nominal size on the page.
    public var pixelRatio: Int

    public init(image: Image, caption: String, name: String = "", pixelRatio: Int = 1) {
        self.image = image
        self.caption = caption
        self.name = name
        self.pixelRatio = max(1, pixelRatio)
    }
}
