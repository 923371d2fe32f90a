import LoupeLang

/// The "Models" family of LANGUAGE.md: resnet, import_model, load_model, save, reset_head,
/// freeze, unfreeze, summary.
extension CommandRegistry {
    public mutating func registerModelCommands() {
        registerModelBuildCommands()
        registerModelFileCommands()
        registerModelHeadCommands()
        registerModelSummaryCommand()
        registerKind(KindDoc(kind: "model", summary: "a ResNet with its classes and preprocessing (resnet, import_model, load_model)", attributes: [
            ("arch", "the architecture, e.g. \"resnet20\""),
            ("classes", "class names, in output order"),
            ("params", "number of parameters"),
            ("trainable", "parameters that train (fewer when frozen)"),
            ("input", "input size WxH"),
            ("channels", "input channels (1 grey, 3 RGB)"),
            ("frozen", "whether the backbone is frozen"),
            ("version", "increments on every save"),
        ]))
    }
}
