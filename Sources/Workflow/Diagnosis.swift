/// What the loss curves say about a run.
public struct Diagnosis: Sendable, Equatable {
    public enum Verdict: String, Sendable { case underfitting, overfitting, healthy, undetermined }
    public let verdict: Verdict
    /// The evidence read from the curves, in words.
    public let evidence: [String]
    /// Remedies that fit the verdict, most promising first (LoupeCommands words them).
    public let remedies: [Remedy]

    /// What to try next; the binding layer says each in the language's own terms.
    public enum Remedy: String, Sendable, CaseIterable {
        case moreEpochs, moreAugmentation, moreRegularisation, earlyStopping, smallerModel, moreData
        case longerOrBetterRate, biggerModel, lessRegularisation, largerImages
        case studyMistakes, moreDataForWeakClasses
    }
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
                         remedies: [.moreEpochs])
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
            return Diagnosis(verdict: .overfitting, evidence: evidence,
                             remedies: [.moreAugmentation, .moreRegularisation, .earlyStopping, .smallerModel, .moreData])
        }
    }
    if last.trainAccuracy < 0.9 || trainDrop > 0.1 {
        if last.trainAccuracy < 0.9 { evidence.append("train accuracy is only \(pct(last.trainAccuracy))") }
        if trainDrop > 0.1 { evidence.append("the train loss was still falling (\(pct(trainDrop)) in the last epoch)") }
        if let d = last.devLoss { evidence.append("dev loss \(formatLoss(d)) tracks train loss \(formatLoss(last.trainLoss))") }
        return Diagnosis(verdict: .underfitting, evidence: evidence,
                         remedies: [.longerOrBetterRate, .biggerModel, .lessRegularisation, .largerImages])
    }
    evidence.append("train and dev losses fell together; train accuracy \(pct(last.trainAccuracy))" + (last.devAccuracy.map { ", dev \(pct($0))" } ?? ""))
    return Diagnosis(verdict: .healthy, evidence: evidence, remedies: [.studyMistakes, .moreDataForWeakClasses])
}
