import TensorCore
import NeuralNet

#if canImport(Glibc)
import Glibc
#endif

/// The result of `lr_find`: the sweep and fastai's three suggestions.
public struct LearningRateSweep: Sendable {
    public let rates: [Double]
    /// Smoothed losses (exponential moving average, β = 0.98, bias-corrected), as fastai records.
    public let losses: [Double]
    public let valley: Double
    public let minimum: Double
    public let steep: Double
    /// fastai's default suggestion.
    public var suggestion: Double { valley }
}

/// fastai's learning-rate finder: rates grow exponentially from `start` to `end` over
/// `iterations` batches; the sweep stops when the smoothed loss passes 4× its minimum. The
/// model is left exactly as it was.
public func learningRateFinder(_ model: ResNet, data: BatchSource, start: Double = 1e-7, end: Double = 10, iterations: Int = 100,
                               options: TrainingOptions = TrainingOptions(), communicator: Communicator? = nil,
                               shouldStop: () -> Bool = { false }) throws -> LearningRateSweep {
    guard start > 0, end > start else { throw WorkflowError.invalidParameter(name: "start", reason: "needs 0 < start < end, got \(start) and \(end)") }
    guard iterations >= 20 else { throw WorkflowError.invalidParameter(name: "iterations", reason: "needs at least 20 to suggest a rate, got \(iterations)") }
    guard data.count > 0 else { throw WorkflowError.emptyTrainingSplit }
    let communicator = communicator.flatMap { $0.size > 1 ? $0 : nil }
    if let communicator { model.broadcastState(communicator) }
    let snapshot = model.snapshot()
    defer { model.restore(snapshot) }
    model.communicator = communicator
    defer { model.communicator = nil }
    let trainingStep = TrainingStep(model: model, communicator: communicator)
    let optimizer: Optimizer = options.optimizer == .sgd ? SGD(momentum: options.momentum, weightDecay: options.weightDecay)
                                                         : AdamW(weightDecay: options.weightDecay)
    let batchSize = options.resolvedBatchSize(trainCount: data.count)
    var rates: [Double] = [], losses: [Double] = []
    var average = 0.0, best = Double.infinity
    var epoch = 0
    sweep: while rates.count < iterations {
        epoch += 1
        for batch in data.batches(epoch: epoch, batchSize: batchSize, shuffle: true, augment: false, seed: options.seed, shard: trainingStep.shard) {
            if communicator?.agree(shouldStop()) ?? shouldStop() { throw WorkflowError.interrupted("the rate sweep was interrupted; the model is unchanged") }
            let i = rates.count
            if i >= iterations { break sweep }
            let rate = start * pow(end / start, Double(i) / Double(iterations - 1))
            let value = trainingStep.forward(batch).loss
            average = 0.98 * average + 0.02 * value
            let smoothed = average / (1 - pow(0.98, Double(i + 1)))
            rates.append(rate); losses.append(smoothed)
            if !smoothed.isFinite || smoothed > 4 * best { break sweep }
            best = min(best, smoothed)
            trainingStep.backward()
            optimizer.step(model.arena, learningRate: { _ in Float(rate) }, trainable: model.isTrainable)
        }
    }
    // fastai drops the first tenth and the last five points before suggesting.
    let lo = iterations / 10, hi = max(lo + 2, rates.count - 5)
    guard hi - lo >= 3, hi <= rates.count else {
        throw WorkflowError.invalidParameter(name: "end", reason: "the loss diverged after \(rates.count) batches: lower it (e.g. to \(end / 100))")
    }
    let r = Array(rates[lo..<hi]), l = Array(losses[lo..<hi]).map { $0.isFinite ? $0 : Double.greatestFiniteMagnitude }
    let minimumIndex = l.indices.min { l[$0] < l[$1] }!
    var steepIndex = 0, steepest = Double.infinity
    for i in 0..<(l.count - 1) {
        let g = (l[i + 1] - l[i]) / (log(r[i + 1]) - log(r[i]))
        if g < steepest { steepest = g; steepIndex = i }
    }
    return LearningRateSweep(rates: rates, losses: losses, valley: r[valleyIndex(l)], minimum: r[minimumIndex] / 10, steep: r[steepIndex])
}

/// fastai's "valley": the longest decreasing run of the loss curve (as a longest decreasing
/// subsequence), then a point a half-section past its first third.
func valleyIndex(_ losses: [Double]) -> Int {
    let n = losses.count
    var lds = [Int](repeating: 1, count: n)
    var maxStart = 0, maxEnd = 0
    for i in 1..<n {
        for j in 0..<i where losses[i] < losses[j] && lds[i] < lds[j] + 1 { lds[i] = lds[j] + 1 }
        if lds[maxEnd] < lds[i] { maxEnd = i; maxStart = maxEnd - lds[maxEnd] }
    }
    let sections = Double(maxEnd - maxStart) / 3
    return min(n - 1, max(0, maxStart + Int(sections) + Int(sections / 2)))
}
