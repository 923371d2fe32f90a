import Foundation
import TensorCore
import NeuralNet

// Data parallelism (docs/distributed.md): every rank holds the whole model and takes its rows of
// each global batch (`Shard`). Per step: BatchNorm sums its batch statistics over the ranks inside
// the forward and backward passes; the loss divides by the whole batch's Σ w[y]; after backward
// the gradients are summed in one call over the arena's single buffer. Every rank then makes the
// same optimizer step, and the parameters stay identical without being sent again.

/// One training step over a global batch, on one process or split across ranks.
final class TrainingStep {
    let model: ResNet
    let communicator: Communicator?
    let loss: CrossEntropyLoss
    let gradient = Tensor(shape: [0])
    var shard: Shard { Shard(communicator) }

    init(model: ResNet, communicator: Communicator?, loss: CrossEntropyLoss = CrossEntropyLoss()) {
        self.model = model; self.communicator = communicator; self.loss = loss
    }

    /// Zeroes the gradients, runs the forward pass on this rank's rows and the loss; returns the
    /// global batch's mean loss, its correct predictions and its size (the same on every rank).
    func forward(_ batch: Batch) -> (loss: Double, correct: Int, count: Int) {
        zeroGradients()
        let logits = batch.isFeatures ? model.headForward(batch.images, training: true) : model.forward(batch.images, training: true)
        guard let communicator else {
            let value = loss(logits, labels: batch.labels, gradient: gradient)
            return (Double(value), countCorrect(logits, batch.labels), batch.labels.count)
        }
        let denominator = communicator.allReduceSum([loss.targetWeightSum(batch.labels, classes: logits.shape[1])])[0]
        let value = loss(logits, labels: batch.labels, gradient: gradient, denominator: denominator)
        let sums = communicator.allReduceSum([Double(value), Double(countCorrect(logits, batch.labels)), Double(batch.labels.count)])
        return (sums[0], Int(sums[1]), Int(sums[2]))
    }

    /// Back-propagates the last forward's loss and sums the gradients over the ranks (one buffer,
    /// one call: the arena's gradients are contiguous).
    func backward() {
        model.backward(gradient)
        if let communicator {
            let span = model.backboneFrozen ? headSpan ?? 0..<model.arena.count : 0..<model.arena.count
            communicator.allReduceSum(model.arena.grads + span.lowerBound, count: span.count)
        }
    }

    /// Whether every gradient was zeroed once by this step object.
    private var zeroedAll = false

    /// The head's parameters when they end the arena (the ResNet registers them last): with the
    /// backbone frozen nothing else gets a gradient, so after one full zeroing only this span is
    /// zeroed and summed per step. (Zeroing a ResNet-18's 11 M gradients per step was most of
    /// the time of a head epoch on cached features.)
    private lazy var headSpan: Range<Int>? = {
        let entries = model.arena.entries
        guard let start = entries.filter(\.isHead).map(\.offset).min(),
              entries.allSatisfy({ $0.isHead == ($0.offset >= start) }) else { return nil }
        return start..<model.arena.count
    }()

    private func zeroGradients() {
        if zeroedAll, model.backboneFrozen, let span = headSpan {
            (model.arena.grads + span.lowerBound).update(repeating: 0, count: span.count)
        } else {
            model.arena.zeroGrads()
            zeroedAll = true
        }
    }
}
