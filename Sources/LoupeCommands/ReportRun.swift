import Foundation
import Datasets
import Plotting
import Workflow

/// `report run`: data, split, augmentation, model and hyperparameters, curves, results, test
/// metrics with confusion and mistakes, and the diagnosis — whichever the run has.
extension RunValue: Reportable {
    public var reportTitle: String { "Training \(displayLabel)" }

    public func reportSections() throws -> [ReportSection] {
        try reportSections(evaluation: heldOutSplit().map { try evaluateQuietly(on: $0) })
    }

    /// The split final metrics come from: the test split when there is one, else validation.
    func heldOutSplit() -> DatasetValue? {
        for s in [Subset.test, .val] {
            if let indices = data.dataset.indices(of: s), !indices.isEmpty, let d = data.dataset.subset(s) {
                return DatasetValue(d, subset: s)
            }
        }
        return nil
    }

    private func evaluateQuietly(on split: DatasetValue) throws -> EvaluationValue {
        _ = try ClassMatch.between(model: model.metadata.classNames, data: split.dataset.classes)
        let source = DatasetBatchSource(dataset: split.dataset, preprocessing: Preprocessing(model.metadata))
        let result = try Workflow.evaluate(model.model, on: source, batchSize: 32)
        return EvaluationValue(result: result, classNames: split.dataset.classes, data: split.dataset,
                               modelName: model.model.config.name, dataName: EvaluationRunning.describe(split))
    }

    /// The sections, with `evaluation` (of the run's model on its held-out split) when there is one.
    func reportSections(evaluation: EvaluationValue?) throws -> [ReportSection] {
        var sections = [dataSection(), modelSection()]
        if !training.history.isEmpty { sections.append(try curvesSection()) }
        if let e = evaluation {
            var metrics = e.metricsSection(title: "Final metrics on the \(e.data.count)-image \(e.dataName)")
            if e.dataName.hasPrefix("val") {
                metrics.warning("There is no test split: these are validation metrics, and the validation split also chose the best epoch, so they are optimistic.")
            }
            sections += [metrics, try e.confusionSection(), try e.mistakesSection()]
        }
        sections.append(diagnosisSection())
        return sections
    }

    func dataSection() -> ReportSection {
        let d = data.dataset
        var s = ReportSection("Data")
        var facts: [(String, String)] = [("source", d.path), ("format", d.format.rawValue), ("images", "\(d.count)"), ("classes", "\(d.classes.count)")]
        if let size = d.size { facts.append(("image size", "\(size.width)x\(size.height)" + (d.requestedSize == nil ? " (typical)" : ""))) }
        facts.append(("model input", "\(model.metadata.inputWidth)x\(model.metadata.inputHeight), \(model.model.config.inputChannels == 1 ? "grey" : "RGB"), normalisation \(model.metadata.normalization.kind.rawValue)\(cropNote(model.metadata.crop))"))
        if !d.unreadable.isEmpty { facts.append(("unreadable files skipped", "\(d.unreadable.count)")) }
        s.keyValues(facts)
        var split = ReportSection("Split")
        let subsets: [Subset] = Subset.allCases.filter { d.indices(of: $0) != nil }
        if subsets.isEmpty {
            split.paragraph("The dataset was not split: the run has no validation or test images.")
            split.table(ReportTable(columns: ["class", "images"], rows: zip(d.classes, d.counts).map { [$0, "\($1)"] }, caption: "Images per class"))
        } else {
            let perSubset = subsets.map { sub -> [Int] in
                var c = [Int](repeating: 0, count: d.classes.count)
                for i in d.indices(of: sub) ?? [] { if let l = d.samples[i].label, l >= 0, l < c.count { c[l] += 1 } }
                return c
            }
            let rows = d.classes.indices.map { k in [d.classes[k]] + perSubset.map { "\($0[k])" } }
            let totals = ["all"] + perSubset.map { "\($0.reduce(0, +))" }
            split.table(ReportTable(columns: ["class"] + subsets.map(\.rawValue), rows: rows + [totals], caption: "Images per class and split"))
            let preset = d.presetTest.map { "the test split (\($0.count) images) comes with the source" }
            if let sp = d.split {
                let own = "stratified per class: train \(percent(sp.fractions.train)), val \(percent(sp.fractions.val))"
                split.paragraph(preset.map { "Split \(own) of the source's training images; \($0)." }
                                ?? "Split \(own), test \(percent(sp.fractions.test)).")
            } else if let preset {
                split.paragraph(preset.prefix(1).uppercased() + preset.dropFirst() + ".")
            }
            if (d.indices(of: .val) ?? []).isEmpty {
                split.warning("No validation split: the run could only watch its training loss, so the best epoch and early stopping say little about new images. Run split d before training.")
            }
        }
        var augmentation = ReportSection("Augmentation")
        if let a = d.augmentation, !a.isIdentity, training.run.options.augment {
            augmentation.code("augment d " + augmentationArguments(a))
            augmentation.paragraph("Applied to training images only; validation, test and prediction images are only resized and normalised.")
        } else {
            augmentation.paragraph("None: training images were only resized and normalised.")
        }
        s.subsections = [split, augmentation]
        return s
    }

    func modelSection() -> ReportSection {
        var s = ReportSection("Model and hyperparameters")
        s.keyValues(hyperparameters + [("parameters", "\(formatCount(model.model.parameterCount)) (\(formatCount(model.model.trainableParameterCount)) trainable)")])
        // A fine-tune run has two steps (head, then everything), each with its own settings.
        if training.phases.count > 1, let perPhase = (try? trainingSections())?.first?.subsections { s.subsections = perPhase }
        return s
    }

    func curvesSection() throws -> ReportSection {
        var s = ReportSection("Training curves")
        let loss: any Figure, accuracy: any Figure
        // The run's own figures when its family draws them (phases, markers), else these.
        if let plottable = (self as AnyObject) as? any Plottable, plottable.plotKinds.contains("loss"), plottable.plotKinds.contains("accuracy") {
            (loss, accuracy) = (try plottable.figure("loss"), try plottable.figure("accuracy"))
        } else {
            (loss, accuracy) = runCurves()
        }
        s.figure(ReportFigure(image: loss.image(scale: 2), caption: "Loss per epoch", name: "loss", pixelRatio: 2))
        s.figure(ReportFigure(image: accuracy.image(scale: 2), caption: "Accuracy per epoch", name: "accuracy", pixelRatio: 2))
        s.keyValues(results)
        return s
    }

    /// Loss and accuracy per epoch, train and dev in two palette colours, the best epoch marked.
    func runCurves() -> (LineChart, LineChart) {
        let h = training.history
        var lossSeries: [LineChart.Series] = [.init("train", y: h.map(\.trainLoss))]
        var accSeries: [LineChart.Series] = [.init("train", y: h.map { $0.trainAccuracy * 100 })]
        if training.hasDevEveryEpoch {
            lossSeries.append(.init("dev", y: h.map { $0.devLoss! }))
            accSeries.append(.init("dev", y: h.map { ($0.devAccuracy ?? 0) * 100 }))
        }
        var loss = LineChart(title: "Loss of \(displayLabel)", xLabel: "epoch", yLabel: "cross-entropy loss", series: lossSeries)
        var accuracy = LineChart(title: "Accuracy of \(displayLabel)", xLabel: "epoch", yLabel: "accuracy (%)", series: accSeries)
        if let b = training.bestEpoch, h.count > 1 {
            loss.verticalMarkers = [.init(x: Double(b), label: "best epoch \(b)", color: Palette.bluishGreen)]
            accuracy.verticalMarkers = loss.verticalMarkers
        }
        return (loss, accuracy)
    }

    func diagnosisSection() -> ReportSection {
        var s = ReportSection("Diagnosis")
        let d = diagnose(training.history)
        s.paragraph("Verdict: \(d.verdict.rawValue).")
        s.table(ReportTable(columns: ["what the curves show"], rows: d.evidence.map { [$0] }))
        s.table(ReportTable(columns: ["what to try"], rows: d.remedies.map { [$0.text] }))
        return s
    }
}

/// Augmentation settings written as `augment` arguments ("flip_h rotate=10 zoom=0.1").
func augmentationArguments(_ a: AugmentationSettings) -> String {
    var parts: [String] = []
    if a.flipH { parts.append("flip_h") }
    if a.flipV { parts.append("flip_v") }
    if a.rotate90 { parts.append("rotate90") }
    let numbers: [(String, Double)] = [("rotate", a.rotate), ("zoom", a.zoom), ("translate", a.translate), ("shear", a.shear),
                                       ("crop", a.crop), ("brightness", a.brightness), ("contrast", a.contrast),
                                       ("saturation", a.saturation), ("hue", a.hue), ("noise", a.noise), ("blur", a.blur), ("erase", a.erase)]
    for (name, v) in numbers where v != 0 { parts.append("\(name)=\(num(v))") }
    parts.append("originals=\(num(a.originals))")
    return parts.joined(separator: " ")
}
