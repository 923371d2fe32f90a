import LoupeLang
import NeuralNet
import Workflow

/// `fine_tune`: the head on a frozen backbone, then everything at a tenth of the rate. The policy
/// (`FineTunePlan`) and the steps with their freezing (`MultiPhaseRun`) are Workflow's; this file
/// reads the arguments, words the lines and decides the feature cache.
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
    let allEpochs = try a.integer("epochs")
    let allRate = try a["lr"].map { _ in Float(try a.number("lr")) }
    let chosen = ["head_epochs", "head_lr", "epochs", "lr"].allSatisfy { !a.isGiven($0) }
    var plan = try mapErrors {
        try FineTunePlan(head: head, allEpochs: allEpochs, allLearningRate: allRate, chooseFromData: chosen,
                         trainCountsPerClass: data.train.countsPerClass)
    }
    let stopAfter = try stopAfterArgument(a)
    switch plan.choice {
    case .headOnly(let median):
        call.write("fine_tune: \(median) training images in the median class (under \(FineTunePlan.headOnlyBelowImagesPerClass)): training only the head, \(plan.head.epochs) epochs at \(short(Double(plan.head.learningRate))); the backbone keeps its weights")
    case .headThenAll(let median):
        let all = plan.all.map { "\($0.epochs) at \(short(Double($0.learningRate)))" } ?? "0"
        call.write("fine_tune: \(median) training images in the median class: the head for \(plan.head.epochs) epochs at \(short(Double(plan.head.learningRate))), then everything for \(all)")
    case .asGiven:
        if let all = plan.all, plan.allRateAboveATenth {
            call.write("note: lr=\(short(Double(all.learningRate))) is above a tenth of head_lr; a pretrained backbone usually wants a tenth or less")
        }
    }
    if m.origin?.isRandomInitialisation == true {
        call.write("note: this model was randomly initialised; fine_tune pays off with pretrained weights (import_model), train suits a fresh model")
    }
    let cache = try FeatureCachePlan.decide(a, augmented: isAugmented(data, plan.head), ranks: call.communicator?.size ?? 1)
    if let line = cache.message { call.write(line) }
    // Both steps draw their seed, the head-only plan too, so the session's later draws do not
    // depend on the choice.
    plan.head.seed = call.drawSeed()
    let allSeed = call.drawSeed()
    plan.all?.seed = allSeed
    var headSources: (train: BatchSource, dev: BatchSource?)?
    if cache.cached {
        let features = try cachedFeatureSources(model: m, data: data, plan: cache, call: call)
        headSources = (features.train, features.dev)
    }
    let training = try mapErrors(parameter: "d") {
        try MultiPhaseRun.fineTune(model: m.model, plan: plan, train: data.train, dev: data.dev, headSources: headSources,
                                   communicator: call.communicator)
    }
    let folder = try RunFolder.create(in: &call.session, writes: call.writesFiles)
    let value = RunValue(training: training, model: m, data: d, name: folder.name)
    value.command = "fine_tune"
    value.folder = folder.path
    value.noDevReason = data.noDevReason
    value.writesCheckpoints = try a.bool("checkpoint")
    value.priorTraining = m.trainingRecords
    call.write(stepIntroduction(.head) + describe(training.run, phase: .head, model: m))
    // The head, then (unless Ctrl-C stops the head first) everything: `resume run` goes on as
    // this call would have.
    try trainRun(value, extraEpochs: nil, stopAfter: stopAfter, call: call, title: "head")
    finishRun(value, call: call, epochsBefore: 0, replay: cache.replayArguments)
    return .object(value)
}

/// "step 1, head only: ", "step 2, everything: ": the start of the line that describes a
/// fine-tune's step; nothing for a plain training run.
func stepIntroduction(_ phase: TrainingPhase) -> String {
    switch phase {
    case .train: return ""
    case .head: return "step 1, head only: "
    case .all: return "step 2, everything: "
    }
}
