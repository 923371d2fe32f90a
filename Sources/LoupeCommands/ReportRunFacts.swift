import Foundation
import NeuralNet
import Workflow
import LoupeLang

/// The hyperparameters and results of a run as (name, text) pairs, shared by `compare` and `report`.
extension RunValue {
    /// Model and training settings in the order a reader scans them.
    var hyperparameters: [(String, String)] {
        let o = training.run.options, c = model.model.config
        var pairs: [(String, String)] = [
            ("arch", c.name + (c.stem == .small ? " (small stem)" : "")),
            ("epochs", "\(o.epochs)"),
            ("lr", num(Double(o.learningRate))),
            ("batch", o.batchSize.map(String.init) ?? "auto (\(training.run.batchSize))"),
            ("optimizer", o.optimizer.rawValue),
        ]
        if o.optimizer == .sgd { pairs.append(("momentum", num(Double(o.momentum)))) }
        pairs += [
            ("weight_decay", num(Double(o.weightDecay))),
            ("schedule", o.schedule.rawValue),
            ("early_stop", o.earlyStop.map(String.init) ?? "off"),
            ("class_weights", classWeightsText(o.classWeights)),
            ("label_smoothing", num(Double(o.labelSmoothing))),
            ("augment", o.augment && data.dataset.augmentation != nil ? "on" : "off"),
        ]
        if let head = o.headLearningRate { pairs.append(("head_lr", num(Double(head)))) }
        if let hidden = c.hidden { pairs.append(("head", "\(hidden) units, dropout \(num(Double(c.dropout)))")) }
        pairs.append(("frozen backbone", model.model.backboneFrozen ? "yes" : "no"))
        pairs.append(("data", "iteration \(dataIteration) (\(trainImages) training images)"))
        pairs.append(("seed", "\(o.seed)"))
        return pairs
    }

    /// Results read from the history: epochs run, best epoch and dev loss, dev accuracy there.
    var results: [(String, String)] {
        let history = training.history, dev = training.hasDevEveryEpoch
        var pairs: [(String, String)] = [("epochs run", "\(training.epochsRun)")]
        if let b = training.bestEpoch { pairs.append(("best epoch", "\(b)")) }
        if let l = training.bestLoss { pairs.append((dev ? "best dev loss" : "best train loss", fmt(l))) }
        if let a = training.accuracy { pairs.append((dev ? "dev accuracy" : "train accuracy", percent(a))) }
        if let last = history.last { pairs.append(("final train loss", fmt(last.trainLoss))) }
        let stop: String
        switch training.stopReason {
        case .completed: stop = "completed"
        case .earlyStopped: stop = "stopped early"
        case .interrupted: stop = "interrupted"
        case .diverged: stop = "the loss diverged"
        }
        pairs.append(("ended", stop))
        let seconds = history.map(\.seconds).reduce(0, +)
        pairs.append(("training time", seconds >= 120 ? "\(Int(saturating: (seconds / 60).rounded())) min" : "\(Int(saturating: seconds.rounded())) s"))
        if let s = training.phases.compactMap(\.run.featureStats).first {
            pairs.append(("feature extraction", "\(epochTime(s.seconds)) (\(s.extracted) extracted, \(s.reused) reused from the cache)"))
        }
        return pairs
    }
}

private func classWeightsText(_ w: ClassWeighting) -> String {
    switch w {
    case .none: return "none"
    case .auto: return "auto"
    case .explicit(let values): return "[" + values.map { num(Double($0)) }.joined(separator: ", ") + "]"
    }
}

