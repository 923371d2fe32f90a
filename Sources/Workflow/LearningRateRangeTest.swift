import TensorCore
import NeuralNet

/// One rate of the range test: the training losses of a short run from the starting weights.
public struct RangeTestCurve: Sendable {
    public let learningRate: Double
    public let losses: [Double]
    public var first: Double { losses.first ?? .nan }
    public var last: Double { losses.last ?? .nan }
    /// The loss falls consistently: the mean of the last quarter is below the first quarter's by
    /// at least 2%, the run never diverges, and at least 60% of the steps are below the start.
    public var decreasing: Bool {
        guard losses.count >= 4, losses.allSatisfy(\.isFinite) else { return false }
        let q = max(1, losses.count / 4)
        let head = losses.prefix(q).reduce(0, +) / Double(q), tail = losses.suffix(q).reduce(0, +) / Double(q)
        let below = losses.dropFirst().filter { $0 < losses[0] }.count
        return tail < head * 0.98 && Double(below) >= 0.6 * Double(losses.count - 1)
    }
}

/// The result of `lr_range`: one curve per rate and the largest rate that trains.
public struct RangeTestResult: Sendable {
    public let curves: [RangeTestCurve]
    /// The largest rate whose loss falls consistently; nil when none does.
    public var best: Double? { curves.filter(\.decreasing).map(\.learningRate).max() }
}

/// Short runs from the same starting weights, one per rate (0.1 → 0.0001 by default); the
/// model is left exactly as it was.
public func learningRateRangeTest(_ model: ResNet, data: BatchSource, rates: [Double] = [0.1, 0.01, 0.001, 0.0001],
                                  epochs: Int = 1, batches: Int? = nil, options: TrainingOptions = TrainingOptions(),
                                  communicator: Communicator? = nil,
                                  shouldStop: () -> Bool = { false }, progress: (String) -> Void = { _ in }) throws -> RangeTestResult {
    guard !rates.isEmpty, rates.allSatisfy({ $0 > 0 && $0.isFinite }) else {
        throw WorkflowError.invalidParameter(name: "lrs", reason: "give one or more positive rates, e.g. [0.1, 0.01, 0.001, 0.0001]")
    }
    guard epochs >= 1 else { throw WorkflowError.invalidParameter(name: "epochs", reason: "must be at least 1") }
    if let b = batches, b < 4 { throw WorkflowError.invalidParameter(name: "batches", reason: "needs at least 4 batches to see a trend, got \(b)") }
    guard data.count > 0 else { throw WorkflowError.noData("the training split is empty: load a dataset and run split first") }
    let communicator = communicator.flatMap { $0.size > 1 ? $0 : nil }
    if let communicator { model.broadcastState(communicator) }
    let start = model.snapshot()
    defer { model.restore(start) }
    model.communicator = communicator
    defer { model.communicator = nil }
    let trainingStep = TrainingStep(model: model, communicator: communicator)
    let batchSize = options.resolvedBatchSize(trainCount: data.count)
    var curves: [RangeTestCurve] = []
    for rate in rates.sorted(by: >) {
        model.restore(start)
        let optimizer: Optimizer = options.optimizer == .sgd ? SGD(momentum: options.momentum, weightDecay: options.weightDecay)
                                                             : AdamW(weightDecay: options.weightDecay)
        var losses: [Double] = []
        var diverged = false
        outer: for epoch in 1...epochs {
            for batch in data.batches(epoch: epoch, batchSize: batchSize, shuffle: true, augment: false, seed: options.seed, shard: trainingStep.shard) {
                if communicator?.agree(shouldStop()) ?? shouldStop() { throw WorkflowError.interrupted("lr_range interrupted; the model is unchanged") }
                if let b = batches, losses.count >= b { break outer }
                let value = trainingStep.forward(batch).loss
                losses.append(value)
                if !value.isFinite || value > 1e3 { diverged = true; break outer }
                trainingStep.backward()
                optimizer.step(model.arena, learningRate: { _ in Float(rate) }, trainable: model.isTrainable)
            }
        }
        curves.append(RangeTestCurve(learningRate: rate, losses: losses))
        progress("lr \(rate): loss \(formatLoss(losses.first)) → \(formatLoss(losses.last))\(diverged ? " (diverged)" : "")")
    }
    return RangeTestResult(curves: curves)
}

func formatLoss(_ v: Double?) -> String {
    guard let v else { return "-" }
    // Past 1e15 the three decimals are noise, and Int(_:) would trap: print the number as it is.
    return v.isFinite && abs(v) < 1e15 ? String(Double(Int((v * 1000).rounded())) / 1000) : "\(v)"
}
