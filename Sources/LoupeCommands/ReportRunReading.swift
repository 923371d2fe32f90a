import LoupeLang
import Workflow

/// What `diagnose`, `compare` and reports read of a run, through its public attributes.
///
/// The attributes describe the whole run — every phase of a run made of several (`fine_tune`:
/// head, then everything), epochs numbered across phases — where `run` is one `TrainingRun`.
extension RunValue {
    /// "run 2" for a run named "2"; a name that already says "run…" as it is.
    var displayLabel: String { name.lowercased().hasPrefix("run") ? name : "run \(name)" }

    /// Every epoch of the run as its `history` table shows it (losses and accuracies to 4 decimals).
    var epochRecords: [EpochRecord] {
        guard case .table(let table)? = attribute(named: "history") else { return run.history }
        func column(_ name: String) -> [Double?] {
            (table.column(name) ?? Array(repeating: .none, count: table.rows.count)).map { if case .number(let n) = $0 { n } else { nil } }
        }
        let epoch = column("epoch"), trainLoss = column("train_loss"), trainAcc = column("train_acc")
        let devLoss = column("dev_loss"), devAcc = column("dev_acc"), lr = column("lr"), seconds = column("seconds")
        return table.rows.indices.compactMap { i in
            guard let e = epoch[i], let l = trainLoss[i], let a = trainAcc[i] else { return nil }
            return EpochRecord(epoch: Int(e), trainLoss: l, trainAccuracy: a, devLoss: devLoss[i], devAccuracy: devAcc[i],
                               learningRate: lr[i] ?? 0, seconds: seconds[i] ?? 0)
        }
    }

    /// The lowest dev loss (train loss without dev data), its epoch, and the accuracy there.
    var recordedBestLoss: Double? { number("best_loss") }
    var recordedBestEpoch: Int? { number("best_epoch").map { Int($0) } }
    var recordedAccuracy: Double? { number("accuracy") }
    var recordedEpochCount: Int { number("epochs").map { Int($0) } ?? run.epochsRun }
    /// Whether every epoch was measured on dev data.
    var hasDevCurve: Bool { let h = epochRecords; return !h.isEmpty && h.allSatisfy { $0.devLoss != nil } }

    private func number(_ attribute: String) -> Double? {
        if case .number(let n)? = self.attribute(named: attribute) { return n }
        return nil
    }
}
