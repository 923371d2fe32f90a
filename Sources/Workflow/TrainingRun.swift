import Foundation
import TensorCore
import NeuralNet
import LoupeBase

/// One epoch of a run.
public struct EpochRecord: Sendable, Equatable, Codable {
    public var epoch: Int
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var devLoss: Double?
    public var devAccuracy: Double?
    public var learningRate: Double
    public var seconds: Double

    public init(epoch: Int, trainLoss: Double, trainAccuracy: Double, devLoss: Double?, devAccuracy: Double?,
                learningRate: Double, seconds: Double) {
        self.epoch = epoch; self.trainLoss = trainLoss; self.trainAccuracy = trainAccuracy
        self.devLoss = devLoss; self.devAccuracy = devAccuracy; self.learningRate = learningRate; self.seconds = seconds
    }
}

/// What a run reports while it works; the front end renders it (a bar, plain lines, nothing).
public enum TrainingEvent: Sendable {
    case epochStarted(epoch: Int, of: Int, batches: Int)
    case batch(epoch: Int, batch: Int, of: Int, loss: Double, seconds: Double)
    case epochEnded(EpochRecord)
    case note(String)
    /// The loss or the weights stopped being finite: `what` happened, the weights of the epoch's
    /// start are back, and a tenth of the rate (`suggestedRate`) is the usual remedy.
    case diverged(what: String, suggestedRate: Float)
}

/// Why a run stopped before its last epoch.
public enum StopReason: String, Sendable, Codable {
    case completed, earlyStopped, interrupted, diverged
}

/// Where an interrupted run stopped: the epoch it was in and the batches of it that had run
/// (their updates were undone: the model and optimizer are back at the end of the epoch before).
public struct StopPoint: Sendable, Equatable {
    public var epoch: Int
    public var batchesDone: Int
    public var batches: Int

    public init(epoch: Int, batchesDone: Int, batches: Int) {
        self.epoch = epoch; self.batchesDone = batchesDone; self.batches = batches
    }
}

/// Everything a run changes while it trains an epoch, copied at the epoch's start: restoring it
/// after an interruption or a divergence undoes the epoch exactly, so continuing from it gives
/// bit for bit what an uninterrupted run gives.
struct EpochStart {
    let model: ModelSnapshot
    let optimizer: OptimizerState
    let dropout: SeededGenerator?
    let step: Int
}

/// A training run: the model it trains, its data, options, optimizer state and history.
/// `continue(epochs:)` resumes it (LANGUAGE.md's `resume`).
public final class TrainingRun {
    public let model: ResNet
    public let train: BatchSource
    public let dev: BatchSource?
    public private(set) var options: TrainingOptions
    public private(set) var history: [EpochRecord] = []
    public private(set) var bestEpoch: Int?
    public private(set) var bestLoss: Double?
    public private(set) var stopReason: StopReason = .completed
    /// Where the last interruption stopped the run (`nil` unless `stopReason` is `.interrupted`).
    public private(set) var stopPoint: StopPoint?
    /// Epochs the current schedule spans (grows when the run is resumed).
    public private(set) var plannedEpochs: Int
    private var optimizer: Optimizer
    private var bestSnapshot: ModelSnapshot?
    private var scheduleEpochs: Int
    private var step = 0
    /// The ranks sharing every batch (nil: one process). Decisions are taken on rank 0.
    public let communicator: Communicator?

    public init(model: ResNet, train: BatchSource, dev: BatchSource?, options: TrainingOptions,
                communicator: Communicator? = nil) throws {
        self.communicator = communicator.flatMap { $0.size > 1 ? $0 : nil }
        try options.validate()
        guard train.count > 0 else { throw WorkflowError.emptyTrainingSplit }
        try ClassMatch.checkCount(model: model.config.classes, data: train.classCount)
        if options.earlyStop != nil && (dev?.count ?? 0) == 0 {
            throw WorkflowError.needsValidationSplit(parameter: "early_stop")
        }
        if case .explicit(let w) = options.classWeights, w.count != train.classCount {
            throw WorkflowError.invalidParameter(name: "class_weights", reason: "\(w.count) weights for \(train.classCount) classes")
        }
        for source in [train, dev].compactMap({ $0 as? FeatureBatchSource }) {
            guard model.backboneFrozen else {
                throw WorkflowError.cachedFeaturesNeedFrozenBackbone
            }
            guard source.width == model.featureWidth else {
                throw WorkflowError.mismatch("the cached features have \(source.width) values per image but the model's head takes \(model.featureWidth)")
            }
        }
        self.model = model; self.train = train; self.dev = dev; self.options = options
        plannedEpochs = options.epochs
        scheduleEpochs = options.epochs
        switch options.optimizer {
        case .sgd: optimizer = SGD(momentum: options.momentum, weightDecay: options.weightDecay)
        case .adamw: optimizer = AdamW(weightDecay: options.weightDecay)
        }
    }

    public var epochsRun: Int { history.count }
    /// Whether the run trains its head on cached backbone features.
    public var usesCachedFeatures: Bool { train is FeatureBatchSource }
    /// What preparing the cached features did (train and dev together); nil when uncached.
    public var featureStats: FeatureExtractionStats? {
        guard let t = train as? FeatureBatchSource else { return nil }
        return (dev as? FeatureBatchSource).map { t.stats + $0.stats } ?? t.stats
    }
    /// Wall time of the epochs run so far (training and dev evaluation).
    public var trainingSeconds: Double { history.reduce(0) { $0 + $1.seconds } }
    public var batchSize: Int { options.resolvedBatchSize(trainCount: train.count) }
    public var stoppedEarly: Bool { stopReason == .earlyStopped }

    /// Copies the state an epoch changes (see `EpochStart`).
    private func epochStart() -> EpochStart {
        EpochStart(model: model.snapshot(), optimizer: optimizer.state, dropout: model.dropoutGenerator, step: step)
    }

    /// Puts the model, the optimizer and the schedule back where `start` found them.
    private func rollBack(to start: EpochStart) {
        model.restore(start.model)
        optimizer.state = start.optimizer
        model.dropoutGenerator = start.dropout
        step = start.step
    }

    /// Runs the remaining planned epochs (or `extra` more with a fresh schedule segment).
    /// `shouldStop` is polled between batches (Ctrl-C): a stop undoes the unfinished epoch (model,
    /// optimizer, schedule and dropout back at the end of the last finished one), so `run()`
    /// afterwards continues exactly as if it had never stopped. `stopAfter` stops the same way
    /// before the epoch that would exceed that many epochs of this call (a replayed interruption).
    public func run(extraEpochs extra: Int? = nil, stopAfter: Int? = nil, shouldStop: () -> Bool = { false },
                    progress: (TrainingEvent) -> Void = { _ in },
                    checkpoint: ((ResNet, Int) throws -> Void)? = nil) throws {
        if let extra {
            guard extra >= 1 else { throw WorkflowError.invalidParameter(name: "epochs", reason: "must be at least 1, got \(extra)") }
            if epochsRun >= plannedEpochs {
                scheduleEpochs = extra
                step = 0
            }
            plannedEpochs = max(plannedEpochs, epochsRun) + (epochsRun >= plannedEpochs ? extra : 0)
        }
        let weights = options.classWeights.weights(countsPerClass: train.countsPerClass)
        let loss = CrossEntropyLoss(classWeights: weights, labelSmoothing: options.labelSmoothing)
        let batchSize = self.batchSize
        let batchesPerEpoch = (train.count + batchSize - 1) / batchSize
        let totalSteps = scheduleEpochs * batchesPerEpoch
        let trainingStep = TrainingStep(model: model, communicator: communicator, loss: loss)
        let shard = trainingStep.shard
        // The same start everywhere: rank 0's weights, statistics and optimizer state.
        if let communicator {
            model.broadcastState(communicator)
            optimizer.broadcastState(communicator)
        }
        model.communicator = communicator
        defer { model.communicator = nil }
        /// Rank 0's answer on every rank.
        func decide(_ flag: Bool) -> Bool { communicator?.agree(flag) ?? flag }
        stopReason = .completed
        stopPoint = nil
        let firstEpoch = epochsRun
        while epochsRun < plannedEpochs {
            let epoch = epochsRun + 1
            if let stopAfter, epochsRun - firstEpoch >= stopAfter {
                stopReason = .interrupted
                stopPoint = StopPoint(epoch: epoch, batchesDone: 0, batches: batchesPerEpoch)
                return
            }
            let lastGood = epochStart()
            let started = Date()
            progress(.epochStarted(epoch: epoch, of: plannedEpochs, batches: batchesPerEpoch))
            var lossSum = 0.0, correct = 0, seen = 0, batchIndex = 0, rate = 0.0
            for batch in train.batches(epoch: epoch, batchSize: batchSize, shuffle: true, augment: options.augment, seed: options.seed, shard: shard) {
                if decide(shouldStop()) {
                    rollBack(to: lastGood)
                    stopReason = .interrupted
                    stopPoint = StopPoint(epoch: epoch, batchesDone: batchIndex, batches: batchesPerEpoch)
                    return
                }
                let base = options.schedule.rate(base: options.learningRate, step: step, total: totalSteps)
                let head = options.headLearningRate.map { options.schedule.rate(base: $0, step: step, total: totalSteps) }
                rate = Double(base)
                let (value, batchCorrect, batchCount) = trainingStep.forward(batch)
                guard decide(value.isFinite) else {
                    rollBack(to: lastGood)
                    stopReason = .diverged
                    progress(.diverged(what: "the loss became \(value.isNaN ? "NaN" : value > 0 ? "infinite" : "-infinite") in epoch \(epoch), batch \(batchIndex + 1)",
                                       suggestedRate: options.learningRate / 10))
                    return
                }
                trainingStep.backward()
                optimizer.step(model.arena, learningRate: { e in e.isHead ? (head ?? base) : base }, trainable: model.isTrainable)
                step += 1
                lossSum += value * Double(batchCount)
                correct += batchCorrect
                seen += batchCount
                batchIndex += 1
                progress(.batch(epoch: epoch, batch: batchIndex, of: batchesPerEpoch, loss: value, seconds: Date().timeIntervalSince(started)))
            }
            // A step can push weights to infinity while the loss it reported was still finite
            // (the last batch of an epoch, a huge rate): the next epoch would start from, and
            // later restore, broken weights. The epoch's own start is the last good state.
            guard decide(model.isFinite) else {
                rollBack(to: lastGood)
                stopReason = .diverged
                progress(.diverged(what: "the weights became NaN or infinite in epoch \(epoch)", suggestedRate: options.learningRate / 10))
                return
            }
            let (devLoss, devAccuracy) = dev.flatMap { $0.count > 0 ? quickEvaluate(model, $0, loss: loss, communicator: communicator) : nil }.map { ($0.0, $0.1) } ?? (nil, nil)
            let record = EpochRecord(epoch: epoch, trainLoss: lossSum / Double(max(seen, 1)), trainAccuracy: Double(correct) / Double(max(seen, 1)),
                                     devLoss: devLoss, devAccuracy: devAccuracy, learningRate: rate,
                                     seconds: Date().timeIntervalSince(started))
            history.append(record)
            progress(.epochEnded(record))
            let watched = devLoss ?? record.trainLoss
            if bestLoss == nil || watched < bestLoss! {
                bestLoss = watched; bestEpoch = epoch
                if options.earlyStop != nil { bestSnapshot = model.snapshot() }
            }
            try checkpoint?(model, epoch)
            if let patience = options.earlyStop, let best = bestEpoch, decide(epoch - best >= patience) {
                if let s = bestSnapshot { model.restore(s) }
                stopReason = .earlyStopped
                progress(.note("early stop: no better dev loss for \(patience) epoch\(patience == 1 ? "" : "s"); restored the weights of epoch \(best)"))
                return
            }
        }
        if options.earlyStop != nil, let s = bestSnapshot, let best = bestEpoch, best != epochsRun {
            model.restore(s)
            progress(.note("restored the weights of the best epoch (\(best))"))
        }
    }
}

/// Number of rows whose arg-max equals the label.
func countCorrect(_ logits: Tensor, _ labels: [Int]) -> Int {
    let k = logits.shape[1]
    var correct = 0
    for (r, label) in labels.enumerated() {
        let row = logits.data + r * k
        var best = 0
        for j in 1..<k where row[j] > row[best] { best = j }
        if best == label { correct += 1 }
    }
    return correct
}

/// Mean loss and accuracy in evaluation mode.
/// With a communicator each rank evaluates its rows of every batch and the sums are added up.
func quickEvaluate(_ model: ResNet, _ source: BatchSource, loss: CrossEntropyLoss, batchSize: Int = 128,
                   communicator: Communicator? = nil) -> (Double, Double)? {
    var sum = 0.0, correct = 0, seen = 0
    // Evaluation loss is unweighted and unsmoothed only when training used neither; keep the
    // training criterion so train and dev losses are comparable on the same plot.
    for batch in source.evaluationBatches(batchSize: batchSize, shard: Shard(communicator)) where !batch.labels.isEmpty {
        let logits = batch.isFeatures ? model.headForward(batch.images, training: false) : model.forward(batch.images, training: false)
        sum += Double(loss(logits, labels: batch.labels)) * Double(batch.labels.count)
        correct += countCorrect(logits, batch.labels)
        seen += batch.labels.count
    }
    if let communicator {
        let total = communicator.allReduceSum([sum, Double(correct), Double(seen)])
        (sum, correct, seen) = (total[0], Int(total[1]), Int(total[2]))
    }
    return seen > 0 ? (sum / Double(seen), Double(correct) / Double(seen)) : nil
}
