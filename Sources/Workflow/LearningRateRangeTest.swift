import Foundation
import TensorCore
import NeuralNet

/// One rate of the range test: the training losses of a short run from the starting weights.
public struct RangeTestCurve: Sendable {
    public let learningRate: Double
    public let losses: [Double]
    public var first: Double { losses.first ?? .nan }
    public var last: Double { losses.last ?? .nan }
    public init(learningRate: Double, losses: [Double]) {
        self.learningRate = learningRate; self.losses = losses
    }
    /// The losses through an exponential moving average (β = 0.9, bias-corrected as fastai's
    /// `lr_find` does): one batch's noise no longer decides whether a curve falls.
    public var smoothed: [Double] {
        var average = 0.0, out: [Double] = []
        for (i, l) in losses.enumerated() {
            average = 0.9 * average + 0.1 * l
            out.append(average / (1 - pow(0.9, Double(i + 1))))
        }
        return out
    }
    /// The loss falls consistently: on the smoothed curve, the mean of the last quarter is at
    /// least 2% below the start (the mean of the first quarter of the losses, so that one lucky
    /// first batch does not set the bar) and at least 60% of the steps are below the start; and
    /// the run never diverges.
    public var decreasing: Bool {
        guard losses.count >= 4, losses.allSatisfy(\.isFinite) else { return false }
        let s = smoothed
        let q = max(1, s.count / 4)
        let start = losses.prefix(q).reduce(0, +) / Double(q), tail = s.suffix(q).reduce(0, +) / Double(q)
        let below = s.filter { $0 < start }.count
        return tail < start * 0.98 && Double(below) >= 0.6 * Double(s.count)
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
    guard data.count > 0 else { throw WorkflowError.emptyTrainingSplit }
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
            // A partial last batch gives a loss of fewer images, noisier than the rest: skipped
            // (decided from the global counts, so every rank skips the same one).
            let partialLast = data.count >= batchSize && data.count % batchSize != 0 ? data.count / batchSize : nil
            for (index, batch) in data.batches(epoch: epoch, batchSize: batchSize, shuffle: true, augment: false, seed: options.seed, shard: trainingStep.shard).enumerated() {
                if communicator?.agree(shouldStop()) ?? shouldStop() { throw WorkflowError.interrupted("the range test was interrupted; the model is unchanged") }
                if index == partialLast { continue }
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
