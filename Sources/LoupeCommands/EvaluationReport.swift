import Plotting
import Workflow

/// `report e`: metrics (accuracy first), the per-class table, the confusion matrix and the worst mistakes.
extension EvaluationValue: Reportable {
    public var reportTitle: String { "Evaluation of \(modelName) on \(dataName)" }

    public func reportSections() throws -> [ReportSection] {
        [metricsSection(), try confusionSection(), try mistakesSection()]
    }

    /// The primary metric (accuracy) first, then the others; per-class precision, recall, F1 and support.
    func metricsSection(title: String = "Metrics") -> ReportSection {
        var s = ReportSection(title)
        var pairs = [("accuracy (primary metric)", percent(result.accuracy)), ("macro F1", fmt3(result.macroF1)),
                     ("loss (cross-entropy)", fmt(result.loss)), ("images", "\(result.count)")]
        for k in result.topK.keys.sorted() where k > 1 { pairs.append(("top-\(k) accuracy", percent(result.topK[k]!))) }
        s.keyValues(pairs)
        let support = result.confusion.map { $0.reduce(0, +) }
        s.table(ReportTable(columns: ["class", "precision", "recall", "F1", "images"], rows: classNames.indices.map { c in
            [classNames[c], fmt3(result.precision[c]), fmt3(result.recall[c]), fmt3(result.f1[c]), "\(support[c])"]
        }, caption: "Per class, on \(dataName)"))
        if let weakest = classNames.indices.min(by: { result.recall[$0] < result.recall[$1] }), result.recall[weakest] < 1 {
            s.paragraph("Lowest recall: \(classNames[weakest]) (\(percent(result.recall[weakest])) of its images found).")
        }
        return s
    }

    func confusionSection() throws -> ReportSection {
        var s = ReportSection("Confusion matrix")
        s.figure(ReportFigure(image: try figure("confusion").image(scale: 2), caption: "Counts: rows are true classes, columns predicted",
                              name: "confusion", pixelRatio: 2))
        s.figure(ReportFigure(image: try figure("normalized").image(scale: 2), caption: "Each row divided by its total (recall on the diagonal)",
                              name: "confusion-normalized", pixelRatio: 2))
        let pairs = result.confusedPairs(limit: 5)
        if !pairs.isEmpty {
            s.table(ReportTable(columns: ["true", "predicted", "images"], rows: pairs.map { [classNames[$0.trueClass], classNames[$0.predicted], "\($0.count)"] },
                                caption: "Most confused pairs"))
        }
        return s
    }

    func mistakesSection(limit: Int = 16) throws -> ReportSection {
        var s = ReportSection("Worst mistakes")
        let grid = try mistakesGrid(limit: limit)
        s.figure(ReportFigure(image: grid.image(scale: 1), caption: "Framed in vermillion: wrong predictions, the most confident first — often label errors or look-alike classes",
                              name: "mistakes"))
        return s
    }
}
