import LoupeLang

/// The "Training" family of LANGUAGE.md: overfit, lr_range, lr_find, train, fine_tune, resume.
extension CommandRegistry {
    public mutating func registerTrainingCommands() {
        registerOverfitCommand()
        registerRateCommands()
        registerTrainCommands()
        registerFineTuneCommand()
        registerKind(RunValue.kindDoc)
        registerKind(LRRangeValue.kindDoc)
        registerKind(LRFindValue.kindDoc)
        registerKind(OverfitValue.kindDoc)
    }

    /// Models and Training, the two families this file's helper owns.
    public mutating func registerModelAndTrainingCommands() {
        registerModelCommands()
        registerTrainingCommands()
    }
}
