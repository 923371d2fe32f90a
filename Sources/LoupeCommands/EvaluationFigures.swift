import Plotting
import Workflow
import LoupeBase

/// `plot e`: the confusion matrix (counts or each row normalised), the confidence of right and
/// wrong answers, and the worst mistakes.
extension EvaluationValue: Plottable {
    public var plotKinds: [String] { ["confusion", "normalized", "confidence", "mistakes"] }

    public func figure(_ what: String) throws -> any Figure {
        switch what {
        case "normalized":
            var map = Heatmap.confusionMatrix(classNames: classNames, counts: result.confusion, normalized: true)
            map.title = "Confusion matrix (rows sum to 1): \(modelName) on \(dataName)"
            return sized(map)
        case "confidence":
            let right = result.predictions.filter { $0.label == $0.predicted }.map(\.confidence)
            let wrong = result.predictions.filter { $0.label != $0.predicted }.map(\.confidence)
            return Histogram(title: "Confidence of \(modelName) on \(dataName)", xLabel: "confidence of the predicted class",
                             yLabel: "images", groups: [.init("right (\(right.count))", values: right, color: Palette.right),
                                                        .init("wrong (\(wrong.count))", values: wrong, color: Palette.wrong)],
                             bins: 20, range: 0...1)
        case "mistakes":
            return try mistakesGrid(limit: 16)
        default:
            var map = Heatmap.confusionMatrix(classNames: classNames, counts: result.confusion, normalized: false)
            map.title = "Confusion matrix (counts): \(modelName) on \(dataName)"
            return sized(map)
        }
    }

    public var figureStem: String { "evaluation-\(modelName)-\(fileSlug(dataName))" }

    /// A square-ish matrix that grows with the number of classes, so names and numbers stay legible.
    private func sized(_ map: Heatmap) -> Heatmap {
        var map = map
        let k = classNames.count
        map.height = min(1400, max(440, 130 + 48 * k))
        map.width = min(1600, max(880, map.height + 360))
        return map
    }
}

/// The slug of a text for the commands' default file names (longer than a report's anchors):
/// "test split of quadrants" → "test-split-of-quadrants".
func fileSlug(_ text: String) -> String { slug(text, maxLength: 60) }
