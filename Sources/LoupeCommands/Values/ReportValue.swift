import LoupeLang

/// A report written by `report VALUE`: the HTML file and its Markdown twin.
public final class ReportValue: LoupeObject {
    public let htmlPath: String
    public let markdownPath: String
    /// The PNG files written beside the Markdown twin.
    public let figureFiles: [String]
    public let title: String

    public init(htmlPath: String, markdownPath: String, figureFiles: [String], title: String) {
        self.htmlPath = htmlPath
        self.markdownPath = markdownPath
        self.figureFiles = figureFiles
        self.title = title
    }

    public var kind: String { "report" }
    public var summary: String { "report: \(title) → \(htmlPath) (Markdown: \(markdownPath))" }
    public var attributeNames: [String] { ["path", "markdown", "figures"] }

    public func attribute(named name: String) -> Value? {
        switch name {
        case "path": return .string(htmlPath)
        case "markdown": return .string(markdownPath)
        case "figures": return .list(figureFiles.map { .string($0) })
        default: return nil
        }
    }
}

extension ReportValue {
    /// `help report`: the kind and the attributes it answers (KindDocTests compares them with `attributeNames`).
    public static var kindDoc: KindDoc {
        KindDoc(kind: "report", summary: "an HTML report and its Markdown twin (report VALUE)", attributes: [
            ("path", "the HTML file"), ("markdown", "the Markdown file"), ("figures", "PNG files beside the Markdown"),
        ])
    }
}
