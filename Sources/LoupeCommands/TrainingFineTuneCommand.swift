import LoupeLang
import NeuralNet
import Workflow

/// Below this many training images in the median class, `fine_tune` without numbers trains
/// only the head: a few dozen images per class cannot move a backbone's features without
/// overfitting them (fastai's and Keras's transfer-learning guides say the same).
let headOnlyBelowImagesPerClass = 50

/// `fine_tune`: the head on a frozen backbone, then everything at a tenth of the rate.
extension CommandRegistry {
    mutating func registerFineTuneCommand() {
        register(CommandSpec(
            name: "fine_tune", group: "Training", summary: "head on a frozen backbone, then everything at a tenth of the rate",
            parameters: [
                .positional("m", .kind("model"), help: "a (pretrained) model, trained in place"),
                .positional("d", .kind("dataset"), help: "a split dataset"),
                .option("head_epochs", .integer, default: .integer(10), help: "epochs of the head on the frozen backbone"),
                .option("head_lr", .number, default: .number(0.003), help: "learning rate of the head step"),
                .option("epochs", .integer, default: .integer(5), help: "epochs of the whole network (0: head only)"),
                .option("lr", .number, help: "learning rate of the whole network (default head_lr / 10)"),
            ] + stepParameters(earlyStopHelp: "patience in epochs on the dev loss (each step)") + [
                .flag("checkpoint", default: true, help: "write last.loupe and best.loupe after every epoch"),
            ] + featureCacheParameters + [
                stopAfterParameter,
            ],
            result: "a run with two phases (head, all)", example: "run = fine_tune m d head_epochs=3 epochs=2") { call in
                try fineTune(call)
            })
    }
}

private func fineTune(_ call: CommandInvocation) throws -> Value {
    let a = call.arguments
    let m = try a.object("m", as: ModelValue.self)
    let d = try a.object("d", as: DatasetValue.self)
    let data = try TrainingData.resolve(d, model: m)
    var head = try stepOptions(a)
    head.epochs = try a.integer("head_epochs")
    head.learningRate = Float(try a.number("head_lr"))
    var all = head
    all.epochs = try a.integer("epochs")
    all.learningRate = try a["lr"].map { _ in Float(try a.number("lr")) } ?? head.learningRate / 10
    try mapErrors {
        try head.validate()
        if all.epochs > 0 { try all.validate() }
    }
    if all.epochs < 0 { throw CommandError.invalidArgument(parameter: "epochs", message: "must be 0 (head only) or more, got \(all.epochs)") }
    let stopAfter = try stopAfterArgument(a)
    let chose = ["head_epochs", "head_lr", "epochs", "lr"].allSatisfy { !a.isGiven($0) }
    if chose {
        let counts = data.train.countsPerClass.sorted()
        let median = counts[counts.count / 2]
        if median < headOnlyBelowImagesPerClass {
            all.epochs = 0
            call.write("fine_tune: \(median) training images in the median class (under \(headOnlyBelowImagesPerClass)): training only the head, \(head.epochs) epochs at \(short(Double(head.learningRate))); the backbone keeps its weights")
        } else {
            call.write("fine_tune: \(median) training images in the median class: the head for \(head.epochs) epochs at \(short(Double(head.learningRate))), then everything for \(all.epochs) at \(short(Double(all.learningRate)))")
        }
    } else if all.epochs > 0 && all.learningRate > head.learningRate / 10 {
        call.write("note: lr=\(short(Double(all.learningRate))) is above a tenth of head_lr; a pretrained backbone usually wants a tenth or less")
    }
    if m.origin.contains("random initialisation") {
        call.write("note: this model was randomly initialised; fine_tune pays off with pretrained weights (import_model), train suits a fresh model")
    }
    let plan = try FeatureCachePlan.decide(a, augmented: isAugmented(data, head), ranks: call.communicator?.size ?? 1)
    if let line = plan.message { call.write(line) }
    head.seed = call.drawSeed()
    all.seed = call.drawSeed()
    let wasFrozen = m.model.backboneFrozen
    m.model.freezeBackbone(true)
    let first: TrainingRun
    do {
        let sources: (train: BatchSource, dev: BatchSource?) = plan.cached ? try cachedFeatureSources(model: m, data: data, plan: plan, call: call)
                                                                           : (data.train, data.dev)
        first = try mapErrors(parameter: "d") { try TrainingRun(model: m.model, train: sources.train, dev: sources.dev, options: head, communicator: call.communicator) }
    } catch { m.model.freezeBackbone(wasFrozen); throw error }
    let folder = try RunFolder.create(in: &call.session, writes: call.writesFiles)
    let value = RunValue(phases: [RunPhase(label: "head", run: first)], model: m, data: d, name: folder.name)
    value.command = "fine_tune"
    value.folder = folder.path
    value.noDevReason = data.noDevReason
    value.writesCheckpoints = try a.bool("checkpoint")
    value.priorTraining = m.trainingRecords
    call.write("step 1, head only: " + describe(first, model: m, data: data))
    do { try trainPhase(value, extraEpochs: nil, stopAfter: stopAfter, call: call, title: "head") }
    catch { m.model.freezeBackbone(wasFrozen); throw error }
    if all.epochs > 0 && first.stopReason == .interrupted {
        // `resume run` finishes the head step, then trains everything, as this call would have.
        value.pendingPhase = PendingPhase(options: all, data: data)
    } else if all.epochs > 0 && first.stopReason != .diverged {
        try trainAllPhase(value, PendingPhase(options: all, data: data), stopAfter: stopAfter.map { $0 - value.epochsRun }, call: call)
    } else if all.epochs == 0 {
        m.model.freezeBackbone(wasFrozen)
    }
    finishRun(value, call: call, epochsBefore: 0, replay: plan.replayArguments)
    return .object(value)
}

/// The second step of a fine-tune, not begun yet: everything trains, with these options.
struct PendingPhase {
    let options: TrainingOptions
    let data: TrainingData
}

/// Begins and runs a fine-tune's second step (from `fine_tune`, or from `resume` once an
/// interrupted head step is done).
func trainAllPhase(_ value: RunValue, _ pending: PendingPhase, stopAfter: Int?, call: CommandInvocation) throws {
    value.pendingPhase = nil
    let m = value.model
    m.model.freezeBackbone(false)
    let second = try mapErrors(parameter: "d") { try TrainingRun(model: m.model, train: pending.data.train, dev: pending.data.dev, options: pending.options,
                                                                          communicator: call.communicator) }
    value.append(RunPhase(label: "all", run: second))
    call.write("step 2, everything: " + describe(second, model: m, data: pending.data))
    try trainPhase(value, extraEpochs: nil, stopAfter: stopAfter, call: call, title: "all")
}

