import LoupeLang
import Foundation
import Plotting
import Workflow

/// The training family's view of a run for reports: hyperparameters per phase (fine-tune runs
/// have two), curves and history. `report run` (ReportRun.swift) uses the per-phase part.
extension RunValue {
    var trainingReportTitle: String { "Training run \(name): \(model.model.config.name) on \(data.dataset.classes.count) classes" }

    public func trainingSections() throws -> [ReportSection] {
        var setup = ReportSection("Model and hyperparameters")
        let c = model.model.config
        setup.keyValues([
            ("model", model.summary),
            ("origin", model.origin?.text ?? "-"),
            ("data", "\(data.dataset.path): \(data.dataset.count) images, \(data.dataset.classes.count) classes"),
            ("input", "\(model.metadata.inputWidth)x\(model.metadata.inputHeight), \(c.inputChannels == 1 ? "grey" : "RGB"), normalisation \(model.metadata.normalization.kind.rawValue)\(cropNote(model.metadata.crop))"),
        ])
        for p in training.phases {
            let o = p.run.options
            var pairs: [(String, String)] = [
                ("epochs", "\(p.run.epochsRun) of \(p.run.plannedEpochs)"),
                ("learning rate", "\(short(Double(o.learningRate))), \(o.schedule.rawValue) schedule"),
                ("optimizer", o.optimizer == .sgd ? "SGD, momentum \(short(Double(o.momentum))), weight decay \(short(Double(o.weightDecay)))" : "AdamW, weight decay \(short(Double(o.weightDecay)))"),
                ("batch size", "\(p.run.batchSize)\(o.batchSize == nil ? " (auto)" : "")"),
                ("early stopping", o.earlyStop.map { "patience \($0) epochs on the dev loss" } ?? "off"),
                ("class weights", { switch o.classWeights { case .none: return "none"; case .auto: return "auto (inverse frequency)"; case .explicit(let w): return w.map { short(Double($0)) }.joined(separator: ", ") } }()),
                ("label smoothing", short(Double(o.labelSmoothing))),
                ("augmentation", data.dataset.augmentation != nil && o.augment ? "on (training images only)" : "off"),
                ("seed", "\(o.seed)"),
                ("backbone features", featureText(p.run)),
            ]
            if training.phases.count > 1 { pairs.insert(("step", p.phase == .head ? "head only, backbone frozen" : "everything"), at: 0) }
            var sub = ReportSection(training.phases.count > 1 ? "Step: \(p.phase.name)" : "Hyperparameters")
            sub.keyValues(pairs)
            setup.subsections.append(sub)
        }
        if let reason = noDevReason { setup.warning(reason) }

        var curves = ReportSection("Curves")
        curves.paragraph(summary)
        let image = try figure("curves").image(scale: 1)
        curves.figure(ReportFigure(image: image, caption: "Loss and accuracy per epoch (train blue, dev vermillion); the green line marks the best epoch.", name: "run-\(name)-curves"))
        switch training.stopReason {
        case .diverged: curves.warning("The loss became NaN or infinite: training stopped and the weights of the last good epoch were restored. Lower the learning rate.")
        case .interrupted: curves.warning("The run was interrupted before its last epoch.")
        default: break
        }

        var history = ReportSection("History")
        let t = historyTable
        history.table(ReportTable(columns: t.columns, rows: t.rows.map { $0.map(reportCell) }, caption: historyPath.map { "also in \($0)" } ?? ""))
        return [setup, curves, history]
    }
}

private func reportCell(_ v: LoupeLang.Value) -> String {
    switch v {
    case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? String(Int(n)) : String(format: "%.4g", n)
    case .string(let s): return s
    case .none: return ""
    default: return v.summary
    }
}

/// How a phase met its backbone: cached features (counts and times) or a forward pass per batch.
func featureText(_ run: TrainingRun) -> String {
    guard let s = run.featureStats else { return "not cached (the backbone runs on every batch)" }
    let copies = (run.train as? FeatureBatchSource)?.copyCount ?? 1
    return "cached\(copies > 1 ? ", \(copies) augmented copies per image" : ""): \(s.extracted) extracted, \(s.reused) reused in \(epochTime(s.seconds)); head training \(epochTime(run.trainingSeconds))"
}
