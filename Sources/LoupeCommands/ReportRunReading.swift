import LoupeLang
import Workflow

/// What `diagnose`, `compare` and reports read of a run: the whole run, every phase of a run
/// made of several (`fine_tune`: head, then everything), epochs numbered across phases.
extension RunValue {
    /// "run 2" for a run named "2"; a name that already says "run…" as it is.
    var displayLabel: String { name.lowercased().hasPrefix("run") ? name : "run \(name)" }

    /// Every epoch of the run, across phases.
    var epochRecords: [EpochRecord] { history }

    /// The lowest dev loss (train loss without dev data), its epoch, and the accuracy there.
    var recordedBestLoss: Double? { bestLoss }
    var recordedBestEpoch: Int? { bestEpoch }
    var recordedAccuracy: Double? { accuracy }
    var recordedEpochCount: Int { epochsRun }
    /// Whether every epoch was measured on dev data.
    var hasDevCurve: Bool { let h = history; return !h.isEmpty && h.allSatisfy { $0.devLoss != nil } }
}
