import LoupeLang
import Plotting
import Workflow

/// A value with a natural figure, drawn by `plot VALUE [what=...]` (and embedded by `report`).
///
/// Each command family makes its own values conform, so `plot` knows no value kind itself.
public protocol Plottable: LoupeObject {
    /// The `what=` choices this value offers; the first is the default.
    var plotKinds: [String] { get }
    /// The figure for one of `plotKinds`.
    func figure(_ what: String) throws -> any Figure
    /// A readable file name stem for figures of this value ("run-2-curves").
    var figureStem: String { get }
}

/// A value that contributes sections to an HTML/Markdown report (`report VALUE`).
public protocol Reportable: LoupeObject {
    /// The report's title when this value is the subject.
    var reportTitle: String { get }
    /// Sections in reading order: data, split, augmentation, model and hyperparameters,
    /// curves, metrics, confusion, mistakes, diagnosis — whichever this value knows.
    func reportSections() throws -> [ReportSection]
}
