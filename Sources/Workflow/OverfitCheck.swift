import TensorCore
import NeuralNet

/// The verdict of `overfit`: can the model learn a handful of images perfectly?
public struct OverfitReport: Sendable {
    public let images: Int
    public let steps: Int
    public let firstLoss: Double
    public let finalTrainingLoss: Double
    /// Loss and accuracy on the same images in evaluation mode, with the same preprocessing.
    public let evaluationLoss: Double
    public let evaluationAccuracy: Double
    public var passed: Bool { evaluationAccuracy >= 1 && evaluationLoss < 0.1 }
    /// The usual causes of a failure, most likely first; empty when it passed.
    public let causes: [Cause]

    /// Why a handful of images was not learnt; the binding layer words each with its remedy.
    public enum Cause: Sendable, Equatable {
        /// The loss rose or diverged: the rate is too high for this model.
        case lossRose
        /// The training loss stayed above ≈0 in `steps` steps (too few, or labels that do not match).
        case notConverged(steps: Int)
        /// Training reached ≈0 but evaluation on the same images did not (preprocessing or BatchNorm).
        case evaluationDiffers
        /// Every one of `images` images has the same label (labels not loaded).
        case singleLabel(images: Int)
    }
}

/// Trains a copy of the model on `n` training images without augmentation (the model itself is
/// untouched), then evaluates on the same images: a pipeline that cannot reach ≈0 loss and
/// 100% here has a bug, not a modelling problem.
public func overfitCheck(_ model: ResNet, data: TensorBatchSource, steps: Int = 60, learningRate: Float = 1e-3,
                         communicator: Communicator? = nil, shouldStop: () -> Bool = { false }) throws -> OverfitReport {
    guard data.count > 0 else { throw WorkflowError.emptyTrainingSplit }
    guard steps >= 5 else { throw WorkflowError.invalidParameter(name: "steps", reason: "needs at least 5 steps, got \(steps)") }
    let communicator = communicator.flatMap { $0.size > 1 ? $0 : nil }
    let copy = model.clone()
    copy.freezeBackbone(false)
    if let communicator { copy.broadcastState(communicator) }
    copy.communicator = communicator
    let optimizer = AdamW(weightDecay: 0)
    let trainingStep = TrainingStep(model: copy, communicator: communicator)
    // Every rank holds all n images; each trains on its rows and evaluates all of them.
    let batch = data.evaluationBatches(batchSize: data.count).next()!
    let part = data.evaluationBatches(batchSize: data.count, shard: trainingStep.shard).next()!
    var losses: [Double] = []
    for _ in 0..<steps {
        if communicator?.agree(shouldStop()) ?? shouldStop() { throw WorkflowError.interrupted("overfit interrupted; the model is unchanged") }
        let value = trainingStep.forward(part).loss
        losses.append(value)
        guard value.isFinite else { break }
        trainingStep.backward()
        optimizer.step(copy.arena, learningRate: { _ in learningRate }, trainable: copy.isTrainable)
    }
    // A few forward passes in training mode bring BatchNorm's running statistics to these images.
    for _ in 0..<30 { _ = copy.forward(part.images, training: true) }
    copy.communicator = nil
    let logits = copy.forward(batch.images, training: false)
    let evalLoss = Double(CrossEntropyLoss()(logits, labels: batch.labels))
    let accuracy = Double(countCorrect(logits, batch.labels)) / Double(batch.labels.count)
    var causes: [OverfitReport.Cause] = []
    let first = losses.first ?? .nan, last = losses.last ?? .nan
    if !last.isFinite || last > first {
        causes.append(.lossRose)
    } else if last > 0.1 {
        causes.append(.notConverged(steps: steps))
    }
    if last.isFinite && last <= 0.1 && !(accuracy >= 1 && evalLoss < 0.1) {
        causes.append(.evaluationDiffers)
    }
    if Set(batch.labels).count == 1 && data.classCount > 1 {
        causes.append(.singleLabel(images: batch.labels.count))
    }
    return OverfitReport(images: batch.labels.count, steps: losses.count, firstLoss: first, finalTrainingLoss: last,
                         evaluationLoss: evalLoss, evaluationAccuracy: accuracy, causes: causes)
}
