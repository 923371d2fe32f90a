import LoupeLang
import NeuralNet

/// `reset_head`, `freeze`, `unfreeze`: what of a model learns.
extension CommandRegistry {
    mutating func registerModelHeadCommands() {
        register(CommandSpec(
            name: "reset_head", group: "Models", summary: "a new randomly initialised output layer; the backbone keeps its weights",
            parameters: [
                .positional("m", .kind("model"), help: "the model (changed in place)"),
                .option("classes", .oneOf([.kind("dataset"), .integer]), help: "a dataset (its class names) or a number of classes"),
            ],
            result: "the model", example: "reset_head m classes=d") { call in
                let m = try call.arguments.object("m", as: ModelValue.self)
                guard let source = ClassSource(call.arguments["classes"]) else {
                    throw CommandError.invalidArgument(parameter: "m", message: "give the new classes: classes=d (a dataset) or classes=N")
                }
                let names = try source.names()
                let next = try mapErrors(parameter: "classes") {
                    try m.model.withNewHead(classes: names.count, hidden: m.model.config.hidden, seed: call.drawSeed())
                }
                next.freezeBackbone(m.model.backboneFrozen)
                let before = m.metadata.classNames.count
                m.model = next
                m.metadata.architecture = next.config
                m.metadata.classNames = names
                call.write("new output layer: \(before) → \(names.count) classes (\(names.prefix(6).joined(separator: ", "))\(names.count > 6 ? ", …" : "")); the backbone keeps its weights")
                return .object(m)
            })
        register(CommandSpec(
            name: "freeze", group: "Models", summary: "freeze the backbone: only the head trains",
            parameters: [.positional("m", .kind("model"), help: "the model (changed in place)")],
            result: "the model", example: "freeze m") { call in
                let m = try call.arguments.object("m", as: ModelValue.self)
                m.model.freezeBackbone(true)
                call.write("backbone frozen: \(formatCount(m.model.trainableParameterCount)) of \(formatCount(m.model.parameterCount)) parameters train (BatchNorm statistics stay fixed)")
                return .object(m)
            })
        register(CommandSpec(
            name: "unfreeze", group: "Models", summary: "everything trains again",
            parameters: [.positional("m", .kind("model"), help: "the model (changed in place)")],
            result: "the model", example: "unfreeze m") { call in
                let m = try call.arguments.object("m", as: ModelValue.self)
                m.model.freezeBackbone(false)
                call.write("all \(formatCount(m.model.parameterCount)) parameters train")
                return .object(m)
            })
    }
}
