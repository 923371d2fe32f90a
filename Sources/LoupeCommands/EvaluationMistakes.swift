import Foundation
import Imaging
import Plotting
import Workflow

/// The worst errors of an evaluation as an image grid and as text lines.
extension EvaluationValue {
    /// The `limit` most confidently wrong predictions; when there are none, the least confident
    /// right ones (so the figure still shows where the model hesitates).
    public func worstPredictions(limit: Int) -> (records: [PredictionRecord], wrong: Bool) {
        let wrong = result.mistakes(limit: limit)
        if !wrong.isEmpty { return (wrong, true) }
        return (Array(result.predictions.sorted { $0.confidence < $1.confidence }.prefix(limit)), false)
    }

    /// A grid of the worst predictions captioned true / predicted / confidence.
    public func mistakesGrid(limit: Int) throws -> ImageGrid {
        let (records, wrong) = worstPredictions(limit: limit)
        let cells = try records.map { r -> ImageGrid.Cell in
            // A thumbnail, not the whole photo: sixteen 24-megapixel mistakes would hold a gigabyte.
            let side = DataFigures.thumbnailSide
            let image = try data.withImage(at: r.index, atLeast: (side, side)) { DataFigures.thumbnail($0) }
            return .prediction(image, trueLabel: r.label.map { classNames[$0] } ?? "?", predicted: classNames[r.predicted],
                               confidence: r.confidence)
        }
        let total = result.predictions.filter { $0.label != $0.predicted }.count
        let title = wrong
            ? "Worst mistakes of \(modelName) on \(dataName): " + (records.count == total ? "all \(total)" : "\(records.count) of \(total)")
                + " error\(plural(total)), most confident first"
            : "No mistakes on \(dataName): the \(records.count) least confident right answers"
        var grid = ImageGrid(title: title, cells: cells)
        // Six across leaves each caption room for class names like "predicted: Ankle boot".
        grid.columns = min(max(cells.count, 1), 6)
        return grid
    }

    /// One line per worst prediction: "1. cat/img3.png: true cat, predicted dog (97%)".
    public func mistakeLines(limit: Int) -> [String] {
        let (records, wrong) = worstPredictions(limit: limit)
        if records.isEmpty { return ["no images were evaluated"] }
        var lines = [wrong ? "worst mistakes (most confident first):" : "no mistakes; least confident right answers:"]
        for (i, r) in records.enumerated() {
            let name = data.samples[r.index].displayName
            let truth = r.label.map { classNames[$0] } ?? "?"
            lines.append("  \(i + 1). \(shortPath(name)): true \(truth), predicted \(classNames[r.predicted]) (\(percent(r.confidence)))")
        }
        return lines
    }
}

/// The last two components of a path ("cat/img3.png"): enough to find a file inside its dataset.
func shortPath(_ path: String) -> String {
    let parts = path.split(separator: "/")
    return parts.count <= 2 ? path : parts.suffix(2).joined(separator: "/")
}
