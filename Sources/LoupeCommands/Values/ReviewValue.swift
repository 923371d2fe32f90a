import LoupeLang
import Datasets
import Plotting
import Workflow

/// What `review d` found, with the figures it wrote (`r = review d`).
public final class ReviewValue: LoupeObject, Plottable, Reportable {
    /// The dataset as it was reviewed (sharing its image store).
    public let dataset: Dataset
    public let review: DatasetReview
    /// Figures written by the command, in the order printed: (what, path).
    public let figures: [(name: String, path: String)]

    public init(dataset: Dataset, review: DatasetReview, figures: [(name: String, path: String)]) {
        self.dataset = dataset
        self.review = review
        self.figures = figures
    }

    public static var kindDoc: KindDoc { KindDoc(kind: "review", summary: "what review found in a dataset, and the figures it wrote", attributes: [
        ("warnings", "findings that deserve attention (imbalance, unreadable files, duplicates, leakage), as text"),
        ("duplicates", "groups of identical or near-identical images, each a list of files"),
        ("leakage", "the duplicate groups whose images sit in different splits"),
        ("unreadable", "files that could not be read, with the reason"),
        ("counts", "images per class, in class order"),
        ("classes", "class names"),
        ("figures", "paths of the figures written (class counts, montage, mean images, duplicates)"),
    ]) }

    public var kind: String { "review" }

    public var summary: String {
        let groups = review.exactDuplicates.count + review.nearDuplicates.count
        return "review of \(DataCommands.fileStem(dataset)): \(review.counts.reduce(0, +)) images, \(review.classes.count) classes, "
            + "\(counted(review.warnings.count, "warning")), \(counted(groups, "duplicate group")), "
            + "\(review.leakage.count) across splits"
    }

    public var attributeNames: [String] { ["warnings", "duplicates", "leakage", "unreadable", "counts", "classes", "figures"] }

    public func attribute(named name: String) -> Value? {
        switch name {
        case "warnings": return .list(review.warnings.map { .string($0.text) })
        case "duplicates": return .list((review.exactDuplicates + review.nearDuplicates).map(groupValue))
        case "leakage": return .list(review.leakage.map(groupValue))
        case "unreadable": return .list(review.unreadable.map { .string("\($0.path): \($0.reason)") })
        case "counts": return .list(review.counts.map { .integer($0) })
        case "classes": return .list(review.classes.map { .string($0) })
        case "figures": return .list(figures.map { .string($0.path) })
        default: return nil
        }
    }

    private func groupValue(_ g: DuplicateGroup) -> Value {
        .list(g.samples.map { .string(DataFigures.shortName(dataset, $0)) })
    }

    public var figurePaths: [String] { figures.map(\.path) }

    public var table: Table? {
        Table(columns: ["warning"], rows: review.warnings.map { [.string($0.text)] })
    }

    // MARK: Plottable

    public var plotKinds: [String] {
        ["counts", "montage", "means"] + (DataFigures.reviewGroups(review).isEmpty ? [] : ["duplicates"])
    }

    public func figure(_ what: String) throws -> any Figure {
        switch what {
        case "montage": return DataFigures.montage(dataset, review: review)
        case "means": return DataFigures.means(dataset, review: review)
        case "duplicates":
            if let grid = DataFigures.duplicates(dataset, review: review) { return grid }
        default: break
        }
        return DataFigures.classCounts(dataset)
    }

    public var figureStem: String { "\(DataCommands.fileStem(dataset))-review" }

    // MARK: Reportable

    public var reportTitle: String { "Review of \(DataCommands.fileStem(dataset))" }

    public func reportSections() throws -> [ReportSection] {
        [DataReport.dataSection(dataset), DataReport.reviewSection(dataset, review: review)]
    }
}
