import Foundation
import LoupeLang
import Plotting
import Workflow

/// `lr_range` and `lr_find`: choosing a learning rate before training.
extension CommandRegistry {
    mutating func registerRateCommands() {
        register(CommandSpec(
            name: "lr_range", group: "Training", summary: "short runs from the same weights, one per rate: which rates train?",
            parameters: [
                .positional("m", .kind("model"), help: "the model (left unchanged)"),
                .positional("d", .kind("dataset"), help: "the dataset (its training split)"),
                .option("lrs", .list(of: .number), default: .list([0.1, 0.01, 0.001, 0.0001].map { .number($0) }), help: "rates to try"),
                .option("epochs", .integer, default: .integer(1), help: "epochs per rate"),
                .option("batches", .integer, help: "at most this many batches per rate"),
                .option("to", .string, help: "figure path (default: the work folder)"),
                headCacheParameter,
            ],
            result: "an lr_range result (best, table)", example: "r = lr_range m d lrs=[0.1, 0.01, 0.001] batches=20") { call in
                try lrRange(call)
            })
        register(CommandSpec(
            name: "lr_find", group: "Training", summary: "fastai's exponential learning-rate sweep with suggestions",
            parameters: [
                .positional("m", .kind("model"), help: "the model (left unchanged)"),
                .positional("d", .kind("dataset"), help: "the dataset (its training split)"),
                .option("start", .number, default: .number(1e-7), help: "first rate"),
                .option("end", .number, default: .number(10), help: "last rate"),
                .option("iterations", .integer, default: .integer(100), help: "batches of the sweep"),
                .option("to", .string, help: "figure path (default: the work folder)"),
                headCacheParameter,
            ],
            result: "an lr_find result (suggestion, minimum, steep)", example: "f = lr_find m d iterations=50") { call in
                try lrFind(call)
            })
    }
}

/// Where a command's figure goes: `to=`, else a numbered name in the work folder.
func figurePath(_ call: CommandInvocation, stem: String) -> String {
    if let to = call.arguments["to"], case .string(let path) = to { return path }
    let dir = call.session.workPath("")
    if call.writesFiles { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
    var k = 1
    while FileManager.default.fileExists(atPath: call.session.workPath("\(stem)-\(k).png")) { k += 1 }
    return call.session.workPath("\(stem)-\(k).png")
}

/// Writes a figure, naming the `to` parameter when the path is unusable.
func writeFigure(_ figure: any Figure, to path: String) throws {
    let folder = (path as NSString).deletingLastPathComponent
    if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
    do { try figure.write(to: path) } catch {
        throw CommandError.invalidArgument(parameter: "to", message: "cannot write the figure to \(path): \(error)")
    }
}

private func lrRange(_ call: CommandInvocation) throws -> Value {
    let a = call.arguments
    let m = try a.object("m", as: ModelValue.self)
    let d = try a.object("d", as: DatasetValue.self)
    let rates = try a.list("lrs").compactMap { v -> Double? in if case .number(let n) = v { return n } else { return nil } }
    let epochs = try a.integer("epochs")
    let batches = try a["batches"].map { _ in try a.integer("batches") }
    let data = try TrainingData.resolve(d, model: m, needsDev: false)
    var options = TrainingOptions()
    options.seed = call.drawSeed()
    let source = try headSource(m, data, call)
    call.write("lr_range: \(rates.count) short runs from the same weights, \(batches.map { "up to \($0) batches" } ?? "\(counted(epochs, "epoch"))") each")
    // A bar per rate (the test polls Ctrl-C once per batch), cleared before each rate's line.
    let batchSize = options.resolvedBatchSize(trainCount: data.train.count)
    let perRate = batches.map { min($0, epochs * ((data.train.count + batchSize - 1) / batchSize)) } ?? epochs * ((data.train.count + batchSize - 1) / batchSize)
    let order = rates.filter { $0 > 0 && $0.isFinite }.sorted(by: >)
    let bar = PollingProgress(call)
    var done = 0
    func next() { if done < order.count { bar.begin(ProgressTask(title: "lr_range lr \(short(order[done])) (\(done + 1)/\(order.count))", steps: perRate)) } }
    next()
    defer { bar.end() }
    let result = try interruptible(call, parameter: "d") {
        try learningRateRangeTest(m.model, data: source, rates: rates, epochs: epochs, batches: batches, options: options,
                                  communicator: call.communicator, shouldStop: bar.poll, progress: { line in
            bar.end()
            call.write(line)
            done += 1
            next()
        })
    }
    bar.end()
    let value = LRRangeValue(result)
    call.write(value.rateTable.formatted())
    let path = figurePath(call, stem: "lr-range")
    if call.writesFiles { try writeFigure(try value.figure("curves"), to: path) }
    value.figurePath = path
    if let best = result.best {
        call.write("r.best = \(short(best)): the largest rate whose loss falls consistently. Train with lr=\(short(best)) (onecycle warms up to it), or lr=\(short(roundRate(best / 3))) for a calmer run.")
        if best == rates.max() { call.write("the largest rate tried still trains: try larger ones (lrs=[\(short(best * 10)), \(short(roundRate(best * 3))), \(short(best))])") }
        m.rangeBest = (ObjectIdentifier(d), best)
        reconcileRates(m, d, call)
    } else {
        call.write("no rate made the loss fall consistently: try smaller rates (lrs=[\(short(rates.min()! / 10)), \(short(rates.min()! / 100))]), more batches, or check the pipeline with overfit")
    }
    call.showFigure(path, title: "learning-rate range test")
    return .object(value)
}

private func lrFind(_ call: CommandInvocation) throws -> Value {
    let a = call.arguments
    let m = try a.object("m", as: ModelValue.self)
    let d = try a.object("d", as: DatasetValue.self)
    let start = try a.number("start"), end = try a.number("end")
    let iterations = try a.integer("iterations")
    guard start > 0 else { throw CommandError.invalidArgument(parameter: "start", message: "must be a positive rate, got \(start)") }
    guard end > start else { throw CommandError.invalidArgument(parameter: "end", message: "must be larger than start (\(short(start))), got \(end)") }
    let data = try TrainingData.resolve(d, model: m, needsDev: false)
    var options = TrainingOptions()
    options.seed = call.drawSeed()
    let source = try headSource(m, data, call)
    call.write("lr_find: \(iterations) batches, rates from \(short(start)) to \(short(end))")
    let bar = PollingProgress(call)
    bar.begin(ProgressTask(title: "lr_find", steps: iterations))
    defer { bar.end() }
    let sweep = try interruptible(call, parameter: "d") {
        try learningRateFinder(m.model, data: source, start: start, end: end, iterations: iterations, options: options,
                           communicator: call.communicator, shouldStop: bar.poll)
    }
    bar.end()
    let value = LRFindValue(sweep)
    let path = figurePath(call, stem: "lr-find")
    if call.writesFiles { try writeFigure(try value.figure("curve"), to: path) }
    value.figurePath = path
    if !resultIsShown(call) { call.write(value.summary) }
    call.write("f.suggestion = \(rate2(sweep.suggestion)) (fastai's valley); f.minimum = \(rate2(sweep.minimum)) (a tenth of the lowest loss's rate); f.steep = \(rate2(sweep.steep)) (steepest fall)")
    m.findSuggestion = (ObjectIdentifier(d), sweep.suggestion)
    reconcileRates(m, d, call)
    call.showFigure(path, title: "learning-rate finder")
    return .object(value)
}

/// When `lr_range` and `lr_find` have both run on this model and dataset and their rates are
/// more than 3× apart, says why they differ and which to use when (both commands call it, so
/// whichever runs second says it).
func reconcileRates(_ m: ModelValue, _ d: DatasetValue, _ call: CommandInvocation) {
    let id = ObjectIdentifier(d)
    guard let r = m.rangeBest, let f = m.findSuggestion, r.dataset == id, f.dataset == id else { return }
    let ratio = max(r.rate, f.rate) / min(r.rate, f.rate)
    guard ratio > 3 else { return }
    call.write("note: lr_range's \(short(r.rate)) and lr_find's \(rate2(f.rate)) differ \(Int(ratio.rounded()))×. lr_range's is the largest rate that still trains over a whole epoch at one fixed rate; lr_find's is where the loss falls fastest on a short sweep of rising rates from the first batches. Use lr_range's as the peak of train's onecycle schedule (it warms up to it); use lr_find's for a constant rate, a short run, or fine_tune's head.")
}

/// `cache=` of `lr_range` and `lr_find`: on a frozen backbone they run the head on cached features.
var headCacheParameter: Parameter {
    .option("cache", .oneOf([.choice(["auto"]), .bool]), default: .string("auto"),
            help: "frozen backbone: run the head on cached backbone features (auto: yes, on one process)")
}

/// The training images as `lr_range` and `lr_find` see them: cached features when the backbone
/// is frozen (they never augment, so the features are exactly the images' own), else the images.
func headSource(_ m: ModelValue, _ data: TrainingData, _ call: CommandInvocation) throws -> BatchSource {
    guard m.model.backboneFrozen else {
        if case .bool(true)? = call.arguments["cache"] {
            throw CommandError.invalidArgument(parameter: "cache", message: "cache=true needs a frozen backbone (freeze m)")
        }
        return data.train
    }
    let plan = try FeatureCachePlan.decide(call.arguments, augmented: false, ranks: call.communicator?.size ?? 1)
    if let line = plan.message { call.write(line) }
    guard plan.cached else { return data.train }
    let without = TrainingData(train: data.train, dev: nil, noDevReason: data.noDevReason)
    return try cachedFeatureSources(model: m, data: without, plan: plan, call: call).train
}
