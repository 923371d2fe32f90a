import Foundation
import Plotting
import Workflow

/// `plot p`: how confident the model was (histogram), and how many images went to each class.
extension PredictionsValue: Plottable {
    public var plotKinds: [String] { ["confidence", "classes"] }

    public func figure(_ what: String) throws -> any Figure {
        if what == "classes" {
            return BarChart(title: "Images predicted per class (\(predictions.count) from \((folder as NSString).lastPathComponent))", xLabel: "predicted class",
                            yLabel: "images", labels: classes, values: counts.map(Double.init))
        }
        let confidences = predictions.map(\.confidence)
        let mean = confidences.isEmpty ? 0 : confidences.reduce(0, +) / Double(confidences.count)
        return Histogram(title: "Confidence of \(predictions.count) predictions (mean \(percent(mean)))",
                         xLabel: "confidence of the predicted class", yLabel: "images",
                         groups: [.init("predictions", values: confidences)], bins: 20, range: 0...1)
    }

    public var figureStem: String { "predictions-\(fileSlug((folder as NSString).lastPathComponent))" + (selection == nil ? "" : "-subset") }
}
