import LoupeLang
import Datasets
import Workflow

/// `overfit m d`: train a copy on a handful of images and check that it learns them perfectly.
extension CommandRegistry {
    mutating func registerOverfitCommand() {
        register(CommandSpec(
            name: "overfit", group: "Training", summary: "can a copy of the model learn n training images perfectly? (a pipeline check)",
            parameters: [
                .positional("m", .kind("model"), help: "the model (left unchanged: a copy trains)"),
                .positional("d", .kind("dataset"), help: "the dataset (its training split when split)"),
                .option("n", .integer, default: .integer(5), help: "images, one per class first"),
                .option("steps", .integer, default: .integer(60), help: "optimizer steps (AdamW) on those images"),
                .option("lr", .number, default: .number(0.001), help: "learning rate"),
            ],
            result: "an overfit verdict (passed, loss, accuracy, causes)", example: "overfit m d n=5") { call in
                let a = call.arguments
                let m = try a.object("m", as: ModelValue.self)
                let d = try a.object("d", as: DatasetValue.self)
                let n = try a.integer("n"), steps = try a.integer("steps"), lr = try a.number("lr")
                guard n >= 1 else { throw CommandError.invalidArgument(parameter: "n", message: "must be at least 1, got \(n)") }
                guard lr > 0 && lr.isFinite else { throw CommandError.invalidArgument(parameter: "lr", message: "must be a positive number, got \(lr)") }
                let train = d.subset == nil ? (d.dataset.subset(.train) ?? d.dataset) : d.dataset
                try TrainingData.checkClasses(model: m, classes: train.classes, parameter: "d")
                let indices = onePerClassFirst(labels: train.labels, classes: train.classes.count, n: n)
                guard !indices.isEmpty else { throw CommandError.invalidArgument(parameter: "d", message: "the dataset has no labelled images") }
                let source = DatasetBatchSource(dataset: train, preprocessing: Preprocessing(m.metadata)).inMemory(indices)
                let bar = PollingProgress(call)
                bar.begin(ProgressTask(title: "overfit", steps: steps, unit: "step"))
                defer { bar.end() }
                let report = try interruptible(call, parameter: "d") { try overfitCheck(m.model, data: source, steps: steps, learningRate: Float(lr),
                                                                                         communicator: call.communicator, shouldStop: bar.poll) }
                bar.end()
                let value = OverfitValue(report)
                if !resultIsShown(call) { call.write(value.summary) }
                if report.passed {
                    call.write("the pipeline can learn: labels, preprocessing and the model fit together")
                } else {
                    for (i, cause) in report.causes.enumerated() { call.write("  \(i + 1). \(cause.text)") }
                    if report.causes.isEmpty { call.write("  the loss is still falling: try steps=\(steps * 3)") }
                }
                return .object(value)
            })
    }
}

/// The first image of each class, then the second of each, …, until `n` (all classes are
/// represented before any class gets a second image).
public func onePerClassFirst(labels: [Int], classes: Int, n: Int) -> [Int] {
    var byClass = [[Int]](repeating: [], count: classes)
    for (i, l) in labels.enumerated() where l >= 0 && l < classes { byClass[l].append(i) }
    var out: [Int] = []
    var round = 0
    while out.count < n {
        let picked = byClass.compactMap { round < $0.count ? $0[round] : nil }
        if picked.isEmpty { break }
        out += picked.prefix(n - out.count)
        round += 1
    }
    return out
}
