import LoupeLang

/// Small stand-ins for domain values, so the language can be tested without machine learning.
final class ToyDataset: LoupeObject {
    let name: String
    let classes: [String]
    init(name: String, classes: [String]) {
        self.name = name
        self.classes = classes
    }
    var kind: String { "dataset" }
    var summary: String { "dataset '\(name)': \(classes.count) classes, \(classes.count * 10) images" }
    var attributeNames: [String] { ["classes", "count", "counts", "train", "size"] }
    func attribute(named name: String) -> Value? {
        switch name {
        case "classes": return .list(classes.map { .string($0) })
        case "count": return .integer(classes.count * 10)
        case "counts": return .list(classes.map { _ in .integer(10) })
        case "train": return Value.none
        case "size": return .size(width: 28, height: 28)
        default: return nil
        }
    }
}

final class ToyModel: LoupeObject {
    let depth: Int
    init(depth: Int) { self.depth = depth }
    var kind: String { "model" }
    var summary: String { "model resnet\(depth)" }
    var attributeNames: [String] { ["arch"] }
    func attribute(named name: String) -> Value? { name == "arch" ? .string("resnet\(depth)") : nil }
}

/// What `train` received, echoed back as attributes.
final class ToyRun: LoupeObject {
    let values: [(String, Value)]
    let figure: String?
    init(values: [(String, Value)], figure: String?) {
        self.values = values
        self.figure = figure
    }
    var kind: String { "run" }
    var summary: String { "run: " + values.map { "\($0.0)=\($0.1.literal)" }.joined(separator: " ") }
    var attributeNames: [String] { values.map(\.0) }
    func attribute(named name: String) -> Value? { values.first { $0.0 == name }?.1 }
    var figurePaths: [String] { figure.map { [$0] } ?? [] }
    var table: Table? { Table(columns: ["name", "value"], rows: values.map { [.string($0.0), $0.1] }) }
}

enum ToyCommands {
    /// The standard registry plus `toy_dataset`, `toy_model`, `toy_table` and a `train` whose
    /// parameters mirror the real one.
    static func registry() -> CommandRegistry {
        var registry = CommandRegistry.standard()
        registry.register(CommandSpec(
            name: "toy_dataset", group: "Toys", summary: "a made-up dataset",
            parameters: [.positional("name", .string, help: "its name"),
                         .option("classes", .integer, default: .integer(3), help: "how many classes")],
            result: "a dataset", example: "d = toy_dataset \"digits\"") { invocation in
                let count = try invocation.arguments.integer("classes")
                return .object(ToyDataset(name: try invocation.arguments.string("name"),
                                          classes: (0..<count).map { "c\($0)" }))
            })
        registry.register(CommandSpec(
            name: "toy_model", group: "Toys", summary: "a made-up model",
            parameters: [.positional("depth", .integer, default: .integer(18), help: "its depth")],
            result: "a model", example: "m = toy_model 18") { invocation in
                .object(ToyModel(depth: try invocation.arguments.integer("depth")))
            })
        registry.register(CommandSpec(
            name: "toy_table", group: "Toys", summary: "a made-up table",
            result: "a table", example: "t = toy_table") { _ in
                .table(Table(columns: ["rate", "loss", "decreasing"], rows: [
                    [.number(0.1), .number(2.5), .bool(false)],
                    [.number(0.01), .number(0.123456), .bool(true)],
                ]))
            })
        registry.register(CommandSpec(
            name: "train", group: "Toys", summary: "echoes its arguments",
            parameters: [.positional("m", .kind("model"), help: "the model"),
                         .positional("d", .kind("dataset"), help: "the data"),
                         .option("epochs", .integer, default: .integer(10), help: "epochs"),
                         .option("lr", .number, default: .number(0.003), help: "learning rate"),
                         .option("optimizer", .choice(["sgd", "adamw"]), default: .string("sgd"), help: "optimizer"),
                         .option("batch", .oneOf([.choice(["auto"]), .integer]), default: .string("auto"), help: "batch size"),
                         .option("classes", .oneOf([.kind("dataset"), .integer]), help: "classes"),
                         .option("lrs", .list(of: .number), default: .list([]), help: "rates"),
                         .option("roi", .tuple(count: 4), help: "region"),
                         .option("size", .size, help: "input size"),
                         .option("rotate", .number, default: .number(0), help: "degrees"),
                         .option("to", .string, help: "figure path"),
                         .flag("flip_h", help: "horizontal flips"),
                         .flag("checkpoint", default: true, help: "keep checkpoints")],
            result: "a run", example: "run = train m d epochs=5") { invocation in
                let a = invocation.arguments
                var values: [(String, Value)] = []
                for name in ["epochs", "lr", "optimizer", "batch", "flip_h", "checkpoint", "rotate"] {
                    values.append((name, a[name] ?? .none))
                }
                for name in ["classes", "lrs", "roi", "size"] where a.isGiven(name) {
                    values.append((name, a[name]!))
                }
                let figure = a["to"].flatMap { if case .string(let s) = $0 { s } else { nil } }
                return .object(ToyRun(values: values, figure: figure))
            })
        registry.register(CommandSpec(
            name: "toy_compare", group: "Toys", summary: "counts its models",
            parameters: [.variadic("models", .kind("model"), help: "models to compare"),
                         .option("by", .choice(["depth", "name"]), default: .string("depth"), help: "order")],
            result: "a number", example: "toy_compare m1 m2") { invocation in
                .integer(try invocation.arguments.list("models").count)
            })
        registry.registerKind(KindDoc(kind: "dataset", summary: "images with labels", attributes: [
            ("classes", "class names"), ("count", "images"),
        ]))
        return registry
    }
}
