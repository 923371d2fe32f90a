/// How `diagnose`, `compare` and reports name a run; what they read of it is Workflow's
/// `MultiPhaseRun` (`training`: the whole run, epochs numbered across phases).
extension RunValue {
    /// "run 2" for a run named "2"; a name that already says "run…" as it is.
    var displayLabel: String { name.lowercased().hasPrefix("run") ? name : "run \(name)" }
}
