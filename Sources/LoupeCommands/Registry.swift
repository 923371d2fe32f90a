import LoupeLang

/// Every command Loupe knows: LoupeLang's session commands, then the domain command families.
///
/// Each family adds itself with one line here (e.g. `registry.registerDataCommands()`), so the
/// REPL, scripts, `help` and completion all see the same declarations.
public func makeCommandRegistry() -> CommandRegistry {
    var registry = CommandRegistry.standard()
    registry.registerDataCommands()
    registry.registerModelAndTrainingCommands()
    registry.registerEvaluationCommands()
    registry.registerModelExportCommand()
    return registry
}
