import LoupeLang

/// A figure written to a PNG file.
public final class FigureValue: LoupeObject {
    public let path: String
    public let title: String

    public init(path: String, title: String) {
        self.path = path
        self.title = title
    }

    public var kind: String { "figure" }
    public var summary: String { "figure: \(title) → \(path)" }
    public var attributeNames: [String] { ["path"] }
    public func attribute(named name: String) -> Value? { name == "path" ? .string(path) : nil }
    public var figurePaths: [String] { [path] }
}

extension FigureValue {
    /// `help figure`: the kind and the attributes it answers (KindDocTests compares them with `attributeNames`).
    public static var kindDoc: KindDoc {
        KindDoc(kind: "figure", summary: "a figure written as PNG (plot, montage, mistakes, …)", attributes: [
            ("path", "the PNG file"),
        ])
    }
}
