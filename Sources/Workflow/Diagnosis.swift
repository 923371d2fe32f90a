/// What the loss curves say about a run.
public struct Diagnosis: Sendable, Equatable {
    public enum Verdict: String, Sendable { case underfitting, overfitting, healthy, undetermined }
    public let verdict: Verdict
    /// The evidence read from the curves, in words.
    public let evidence: [String]
    /// Remedies that fit the verdict.
    public let remedies: [String]
}

/// Reads under- or overfitting from the train and dev curves.
///
/// Overfitting: the dev loss has risen ≥10% above its minimum while the train loss kept falling,
/// or train accuracy exceeds dev accuracy by more than 10 points. Underfitting: train accuracy
/// below 90% or the train loss still falling fast (>10% in the last epoch) with dev tracking
/// train. Otherwise healthy.
public func diagnose(_ history: [EpochRecord]) -> Diagnosis {
    guard history.count >= 2 else {
        return Diagnosis(verdict: .undetermined, evidence: ["only \(history.count) epoch: a diagnosis needs at least 2"],
                         remedies: ["train for more epochs, then diagnose again"])
    }
    let last = history.last!
    var evidence: [String] = []
    func pct(_ v: Double) -> String { v.isFinite && abs(v) < 1e15 ? "\(Int((v * 100).rounded()))%" : "\(v)" }
    let devLosses = history.compactMap(\.devLoss)
    let previous = history[history.count - 2]
    let trainDrop = (previous.trainLoss - last.trainLoss) / max(previous.trainLoss, 1e-12)
    if devLosses.count == history.count, let minDev = devLosses.min(), let at = devLosses.firstIndex(of: minDev) {
        let rise = (last.devLoss! - minDev) / max(minDev, 1e-12)
        let trainFell = last.trainLoss < history[at].trainLoss
        let gap = last.trainAccuracy - (last.devAccuracy ?? last.trainAccuracy)
        if (rise > 0.1 && trainFell && at < history.count - 1) || gap > 0.1 {
            if rise > 0.1 { evidence.append("the dev loss bottomed at epoch \(history[at].epoch) (\(formatLoss(minDev))) and rose \(pct(rise)) since, while the train loss kept falling") }
            if gap > 0.1 { evidence.append("train accuracy \(pct(last.trainAccuracy)) vs dev \(pct(last.devAccuracy ?? 0)): a gap of \(pct(gap))") }
            return Diagnosis(verdict: .overfitting, evidence: evidence, remedies: [
                "more augmentation (augment d flip_h rotate=10 zoom=0.1 …, where the label stays true)",
                "regularisation: weight_decay up (e.g. 5e-4 → 1e-3), label_smoothing=0.1, a head with dropout",
                "early stopping (early_stop=3) keeps the best epoch",
                "a smaller model (e.g. resnet18 → resnet20) or fine-tuning a pretrained one",
                "more data per class",
            ])
        }
    }
    if last.trainAccuracy < 0.9 || trainDrop > 0.1 {
        if last.trainAccuracy < 0.9 { evidence.append("train accuracy is only \(pct(last.trainAccuracy))") }
        if trainDrop > 0.1 { evidence.append("the train loss was still falling (\(pct(trainDrop)) in the last epoch)") }
        if let d = last.devLoss { evidence.append("dev loss \(formatLoss(d)) tracks train loss \(formatLoss(last.trainLoss))") }
        return Diagnosis(verdict: .underfitting, evidence: evidence, remedies: [
            "train longer (more epochs) or with a better rate (run lr_range)",
            "a bigger model (e.g. resnet20 → resnet18 or resnet34)",
            "less augmentation or regularisation (lower weight_decay, no label smoothing)",
            "a larger image size, if small details decide the class",
        ])
    }
    evidence.append("train and dev losses fell together; train accuracy \(pct(last.trainAccuracy))" + (last.devAccuracy.map { ", dev \(pct($0))" } ?? ""))
    return Diagnosis(verdict: .healthy, evidence: evidence, remedies: [
        "study the mistakes and the confusion matrix for systematic errors",
        "more data for the weakest classes (lowest recall)",
    ])
}
