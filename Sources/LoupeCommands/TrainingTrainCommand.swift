import Foundation
import LoupeLang
import NeuralNet
import Datasets
import Workflow

/// `train` and `resume`: a run with a progress bar, per-epoch lines and a run folder.
extension CommandRegistry {
    mutating func registerTrainCommands() {
        register(CommandSpec(
            name: "train", group: "Training", summary: "train a model on d.train, watching d.val; the model is trained in place",
            parameters: [
                .positional("m", .kind("model"), help: "the model (trained in place)"),
                .positional("d", .kind("dataset"), help: "a split dataset (trains on d.train, dev loss on d.val), or d.train alone (no dev set)"),
            ] + trainingParameters + [
                .flag("checkpoint", default: true, help: "write last.loupe and best.loupe into the run folder after every epoch"),
            ] + featureCacheParameters + [
                stopAfterParameter,
            ],
            result: "a run (its folder holds history.csv, curves.png and checkpoints)", example: "run = train m d epochs=5 lr=0.01") { call in
                let m = try call.arguments.object("m", as: ModelValue.self)
                let d = try call.arguments.object("d", as: DatasetValue.self)
                var options = try trainingOptions(call.arguments)
                let stopAfter = try stopAfterArgument(call.arguments)
                options.seed = call.drawSeed()
                let data = try TrainingData.resolve(d, model: m)
                // A frozen backbone can train its head on cached features (as fine_tune's first step).
                var plan = FeatureCachePlan(cached: false, copies: 1, message: nil)
                if m.model.backboneFrozen {
                    plan = try FeatureCachePlan.decide(call.arguments, augmented: isAugmented(data, options), ranks: call.communicator?.size ?? 1)
                    if let line = plan.message { call.write(line) }
                } else if case .bool(true)? = call.arguments["cache"] {
                    throw CommandError.invalidArgument(parameter: "cache", message: "cache=true trains the head on cached backbone features, which needs a frozen backbone: freeze m first (or use fine_tune)")
                }
                let sources: (train: BatchSource, dev: BatchSource?) = plan.cached ? try cachedFeatureSources(model: m, data: data, plan: plan, call: call)
                                                                                   : (data.train, data.dev)
                let run = try mapErrors(parameter: "d") { try TrainingRun(model: m.model, train: sources.train, dev: sources.dev, options: options,
                                                                                      communicator: call.communicator) }
                let folder = try RunFolder.create(in: &call.session, writes: call.writesFiles)
                let value = RunValue(run: run, model: m, data: d, name: folder.name)
                value.folder = folder.path
                value.noDevReason = data.noDevReason
                value.writesCheckpoints = try call.arguments.bool("checkpoint")
                value.priorTraining = m.trainingRecords
                call.write(describe(run, phase: .train, model: m))
                if let reason = data.noDevReason { call.write("note: \(reason)") }
                try trainRun(value, extraEpochs: nil, stopAfter: stopAfter, call: call, title: "train")
                finishRun(value, call: call, epochsBefore: 0, replay: m.model.backboneFrozen ? plan.replayArguments : [])
                return .object(value)
            })
        register(CommandSpec(
            name: "resume", group: "Training", summary: "continue a run (after Ctrl-C, or for more epochs)",
            parameters: [
                .positional("run", .kind("run"), help: "the run to continue"),
                .option("epochs", .integer, help: "more epochs, on a fresh schedule (default: the epochs an interruption left)"),
                stopAfterParameter,
            ],
            result: "the run", example: "resume run epochs=5") { call in
                let value = try call.arguments.object("run", as: RunValue.self)
                let run = value.training.run
                guard value.model.model === run.model else {
                    throw CommandError.invalidArgument(parameter: "run", message: "the run's model was replaced since (reset_head or load): start a new run with train")
                }
                let extra = try call.arguments["epochs"].map { _ in try call.arguments.integer("epochs") }
                if let extra, extra < 1 { throw CommandError.invalidArgument(parameter: "epochs", message: "must be at least 1, got \(extra)") }
                let stopAfter = try stopAfterArgument(call.arguments)
                if let features = run.train as? FeatureBatchSource, run.epochsRun < run.plannedEpochs || extra != nil,
                   FeatureExtraction.backboneDigest(value.model.model) != features.backboneDigest {
                    throw CommandError.invalidArgument(parameter: "run", message: "the backbone changed since run \(value.name) cached its features: start a new run (fine_tune or train)")
                }
                if extra == nil && run.epochsRun >= run.plannedEpochs && value.training.pending == nil {
                    throw CommandError.invalidArgument(parameter: "run", message: "run \(value.name) finished its \(run.plannedEpochs) epochs: give epochs=N to train more")
                }
                call.write("resuming run \(value.name) at epoch \(value.training.epochsRun + 1)" + (extra.map { " for \($0) more epoch\(plural($0)) (a new \(run.options.schedule.rawValue) schedule)" } ?? ""))
                let before = value.training.epochsRun
                // The phase goes on with the backbone as it had it; a fine-tune stopped in its head
                // step then trains everything, as it would have.
                try trainRun(value, extraEpochs: extra, stopAfter: stopAfter, call: call, title: "resume")
                finishRun(value, call: call, epochsBefore: before)
                return .object(value)
            })
    }
}

/// The hyperparameters `train` and `fine_tune` share.
var trainingParameters: [Parameter] { [
    .option("epochs", .integer, default: .integer(10), help: "passes over the training set"),
    .option("lr", .number, default: .number(0.003), help: "peak learning rate"),
] + stepParameters(earlyStopHelp: "stop after N epochs without a better dev loss and restore the best weights") + [
    .option("momentum", .number, default: .number(0.9), help: "SGD momentum"),
    .option("weight_decay", .number, default: .number(5e-4), help: "weight decay (decoupled for AdamW)"),
    .option("schedule", .choice(of: Schedule.self), default: .string(Schedule.onecycle.rawValue), help: "learning-rate schedule"),
    .option("class_weights", .oneOf([.choice(["auto", "none"]), .list(of: .number)]), default: .string("none"), help: "auto: inverse class frequency; or one weight per class"),
    .option("label_smoothing", .number, default: .number(0), help: "label smoothing in [0, 1)"),
] }

/// `stop_after=N` of `train`, `fine_tune` and `resume`: how `save_session` replays a command
/// that Ctrl-C stopped (interrupts are exact, so stopping before epoch N+1 is the same state).
var stopAfterParameter: Parameter {
    .option("stop_after", .integer, help: "stop after N epochs of this command as Ctrl-C would (resume continues); save_session writes it for interrupted runs")
}

func stopAfterArgument(_ a: Arguments) throws -> Int? {
    guard a["stop_after"] != nil else { return nil }
    let n = try a.integer("stop_after")
    guard n >= 0 else { throw CommandError.invalidArgument(parameter: "stop_after", message: "must be 0 or more epochs, got \(n)") }
    return n
}

/// `batch`, `optimizer` and `early_stop`: the options of every training step, `train`'s and
/// both of `fine_tune`'s, declared and read in one place.
func stepParameters(earlyStopHelp: String) -> [Parameter] { [
    .option("batch", .oneOf([.choice(["auto"]), .integer]), default: .string("auto"), help: "batch size; auto is 16 under ~200 images, else 32 or 64"),
    .option("optimizer", .choice(of: OptimizerKind.self), default: .string(OptimizerKind.sgd.rawValue), help: "optimizer"),
    .option("early_stop", .integer, help: earlyStopHelp),
] }

/// Reads `stepParameters` into fresh options.
func stepOptions(_ a: Arguments) throws -> TrainingOptions {
    var o = TrainingOptions()
    if case .number? = a["batch"] { o.batchSize = try a.integer("batch") }
    o.optimizer = try a.choice("optimizer", as: OptimizerKind.self)
    o.earlyStop = try a["early_stop"].map { _ in try a.integer("early_stop") }
    return o
}

/// Reads the shared hyperparameters; bad values name their parameter.
func trainingOptions(_ a: Arguments) throws -> TrainingOptions {
    var o = try stepOptions(a)
    o.epochs = try a.integer("epochs")
    o.learningRate = Float(try a.number("lr"))
    o.momentum = Float(try a.number("momentum"))
    o.weightDecay = Float(try a.number("weight_decay"))
    o.schedule = try a.choice("schedule", as: Schedule.self)
    switch a["class_weights"] {
    case .string("auto")?: o.classWeights = .auto
    case .list(let items)?:
        let w = items.compactMap { if case .number(let n) = $0 { return Float(n) } else { return nil } }
        guard w.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw CommandError.invalidArgument(parameter: "class_weights", message: "weights must be positive numbers") }
        o.classWeights = .explicit(w)
    default: o.classWeights = .none
    }
    o.labelSmoothing = Float(try a.number("label_smoothing"))
    try mapErrors { try o.validate() }
    return o
}

/// "resnet20 on 38 training and 10 dev images, 10 epochs, batch 16, sgd lr 0.003 onecycle": a
/// phase's run as it begins (the backbone as `phase` trains it).
func describe(_ run: TrainingRun, phase: TrainingPhase, model: ModelValue) -> String {
    let o = run.options
    var s = "\(model.model.config.name) on \(run.train.count) training" + (run.dev.map { " and \($0.count) dev" } ?? "") + " images"
    s += ", \(counted(o.epochs, "epoch")), batch \(run.batchSize), \(o.optimizer.rawValue) lr \(short(Double(o.learningRate))) \(o.schedule.rawValue)"
    if let p = o.earlyStop { s += ", early stop after \(p)" }
    if trainingDataset(of: run)?.augmentation != nil && o.augment { s += ", augmented" }
    if phase.backboneFrozen ?? model.model.backboneFrozen { s += ", backbone frozen" }
    if run.usesCachedFeatures { s += ", on cached features" }
    return s
}

/// The dataset a run's training images come from (as images or as their cached features).
private func trainingDataset(of run: TrainingRun) -> Dataset? {
    (run.train as? DatasetBatchSource)?.dataset ?? (run.train as? FeatureBatchSource)?.dataset
}

/// Trains `value`: its current phase (the remaining epochs, or `extraEpochs` more), then a
/// pending one (Workflow's `MultiPhaseRun.train`), rewriting the run folder after every epoch.
/// A diverging run stops inside Workflow with the last finite weights restored and a note.
func trainRun(_ value: RunValue, extraEpochs: Int?, stopAfter: Int?, call: CommandInvocation, title: String) throws {
    let observer = RunTrainingObserver(value, call: call, title: title)
    do {
        try value.training.train(extraEpochs: extraEpochs, stopAfter: stopAfter, shouldStop: call.shouldStop, observer: observer)
    } catch {
        throw commandError(error, parameter: "run")
    }
}

/// After a command ends: the model records the run; a closing line says where things are.
/// A run that Ctrl-C stopped says where, and its statement replays as `… stop_after=N` (the
/// epochs this command finished), so a saved session rebuilds the same stopped run.
func finishRun(_ value: RunValue, call: CommandInvocation, epochsBefore: Int, replay: [(name: String, value: String)] = []) {
    value.model.metadata = value.modelMetadata()
    // The early-stop note and restored weights come after the last epoch's files were written.
    if let folder = value.folder, call.writesFiles { try? RunFolder(name: value.name, path: folder).writeProgress(value) }
    if !resultIsShown(call) { call.write(value.summary) }
    if value.training.stopReason == .interrupted {
        let done = value.training.epochsRun
        let batches = value.training.run.stopPoint.map { $0.batchesDone > 0 ? " after \($0.batchesDone) of its \($0.batches) batches" : "" } ?? ""
        let state = done == 0 ? "the start of the run" : "the end of epoch \(done)"
        call.write("stopped in epoch \(done + 1)\(batches): the model and its optimizer are back at \(state); resume run continues exactly")
        call.replayArguments = [("stop_after", "\(done - epochsBefore)")]
    }
    // The cache decision is part of the run: a saved session replays it as made.
    call.replayArguments = replay + call.replayArguments
    if let folder = value.folder {
        let best = value.writesCheckpoints && FileManager.default.fileExists(atPath: folder + "/best.loupe") ? ", best.loupe" : ""
        call.write("files: \(folder)/ (history.csv, curves.png\(best))")
    }
}
