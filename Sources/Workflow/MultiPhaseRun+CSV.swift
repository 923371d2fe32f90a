/// history.csv: the run's epochs as the run folder keeps them and `export r.history` writes them.
extension MultiPhaseRun {
    /// The columns of history.csv, of the history table and of a notebook's epoch rows; a run of
    /// several phases adds `phase`.
    public static let historyColumns = ["epoch", "train_loss", "train_accuracy", "dev_loss", "dev_accuracy", "lr", "seconds"]

    /// Every epoch across phases at full precision: a whole number without a decimal point, any
    /// other the shortest text that reads back the same value, `none` where a phase had no dev
    /// set, and the phase's name last when there are several phases. The language's table of
    /// the same rows writes the same text (RunValue's `historyTable`; TrainingCommandsTests).
    public func historyCSV() -> String {
        let several = phases.count > 1
        var lines = [(Self.historyColumns + (several ? ["phase"] : [])).joined(separator: ",")]
        for (r, phase) in zip(history, epochPhases) {
            var fields = [csvNumber(Double(r.epoch)), csvNumber(r.trainLoss), csvNumber(r.trainAccuracy),
                          r.devLoss.map(csvNumber) ?? "none", r.devAccuracy.map(csvNumber) ?? "none",
                          csvNumber(r.learningRate), csvNumber(r.seconds)]
            if several { fields.append(phase.name) }
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// A number as history.csv writes it: `3`, not `3.0`; `0.30000000000000004` as Swift prints it
/// (the shortest text that reads back the same Double); `nan`, `inf`, `-inf`.
private func csvNumber(_ n: Double) -> String {
    if n.isNaN { return "nan" }
    if n.isInfinite { return n < 0 ? "-inf" : "inf" }
    if n == n.rounded(), abs(n) < 1e15 { return String(Int64(n)) }
    return "\(n)"
}
