import LoupeLang

/// The "Models" family of LANGUAGE.md: resnet, import_model, load_model, save, reset_head,
/// freeze, unfreeze, summary.
extension CommandRegistry {
    public mutating func registerModelCommands() {
        registerModelBuildCommands()
        registerModelFileCommands()
        registerModelHeadCommands()
        registerModelSummaryCommand()
        registerKind(ModelValue.kindDoc)
    }
}
