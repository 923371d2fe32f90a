import XCTest
import TensorCore
import NeuralNet
import Workflow

/// Ctrl-C in the middle of an epoch undoes that epoch exactly (weights, BatchNorm statistics,
/// optimizer state, schedule step, dropout masks), so resuming gives bit for bit the run that
/// was never interrupted.
final class InterruptResumeTests: XCTestCase {
    /// Every value a model holds: parameters, then each BatchNorm's statistics.
    func everything(_ model: ResNet) -> [Float] { model.state().flatMap(\.values) }

    func model(hidden: Bool) -> ResNet {
        var c = try! ResNetConfig.resnet(depth: 20, classes: 4, inputChannels: 1, hidden: hidden ? 16 : nil, dropout: 0.3)
        c.stages = [1, 1, 1]
        return ResNet(c, seed: 3)
    }

    func options(_ optimizer: OptimizerKind) -> TrainingOptions {
        var o = TrainingOptions()
        o.epochs = 3; o.batchSize = 8; o.learningRate = 0.05; o.seed = 11; o.optimizer = optimizer
        return o
    }

    /// Trains 3 epochs without a stop; returns the weights after each epoch and the history.
    func uninterrupted(_ optimizer: OptimizerKind, hidden: Bool) throws -> (epochs: [[Float]], history: [EpochRecord]) {
        let run = try TrainingRun(model: model(hidden: hidden), train: quadrants(32, seed: 1), dev: quadrants(8, seed: 2), options: options(optimizer))
        var epochs: [[Float]] = []
        try run.run(checkpoint: { m, _ in epochs.append(self.everything(m)) })
        return (epochs, run.history.map { var r = $0; r.seconds = 0; return r })
    }

    func check(_ optimizer: OptimizerKind, hidden: Bool) throws {
        let reference = try uninterrupted(optimizer, hidden: hidden)
        XCTAssertEqual(reference.epochs.count, 3)
        XCTAssertNotEqual(reference.epochs[0], reference.epochs[1], "training moves the weights")

        let run = try TrainingRun(model: model(hidden: hidden), train: quadrants(32, seed: 1), dev: quadrants(8, seed: 2), options: options(optimizer))
        // 4 batches an epoch: stop in epoch 2 once 2 of its batches have updated the weights.
        var polls = 0
        try run.run(shouldStop: { polls += 1; return polls == 4 + 3 })
        XCTAssertEqual(run.stopReason, .interrupted)
        XCTAssertEqual(run.stopPoint, StopPoint(epoch: 2, batchesDone: 2, batches: 4))
        XCTAssertEqual(run.epochsRun, 1)
        XCTAssertEqual(everything(run.model), reference.epochs[0], "\(optimizer): the weights of epoch 1, not of the last batch")

        try run.run()
        XCTAssertEqual(run.stopReason, .completed)
        XCTAssertNil(run.stopPoint)
        XCTAssertEqual(run.history.map { var r = $0; r.seconds = 0; return r }, reference.history, "\(optimizer): the same losses and rates")
        let resumed = everything(run.model)
        XCTAssertEqual(resumed, reference.epochs[2], "\(optimizer), hidden \(hidden): resumed weights differ from an uninterrupted run "
                       + "(first difference at \(resumed.indices.first { resumed[$0] != reference.epochs[2][$0] } ?? -1))")
    }

    func testSGDResumesBitForBit() throws { try check(.sgd, hidden: false) }
    func testAdamWWithDropoutResumesBitForBit() throws { try check(.adamw, hidden: true) }

    func testStopInTheFirstEpochGoesBackToTheStart() throws {
        let start = everything(model(hidden: false))
        let run = try TrainingRun(model: model(hidden: false), train: quadrants(32, seed: 1), dev: nil, options: options(.sgd))
        var polls = 0
        try run.run(shouldStop: { polls += 1; return polls == 3 })
        XCTAssertEqual(run.stopPoint, StopPoint(epoch: 1, batchesDone: 2, batches: 4))
        XCTAssertEqual(everything(run.model), start)
    }

    /// `stopAfter` (how a saved session replays an interruption) leaves the same state as a
    /// stop in the next epoch, and the run continues to the same end.
    func testStopAfterEpochsIsTheSameStateAsAnInterruption() throws {
        let reference = try uninterrupted(.sgd, hidden: true)
        let run = try TrainingRun(model: model(hidden: true), train: quadrants(32, seed: 1), dev: quadrants(8, seed: 2), options: options(.sgd))
        try run.run(stopAfter: 2)
        XCTAssertEqual(run.stopReason, .interrupted)
        XCTAssertEqual(run.stopPoint, StopPoint(epoch: 3, batchesDone: 0, batches: 4))
        XCTAssertEqual(everything(run.model), reference.epochs[1])
        try run.run()
        XCTAssertEqual(everything(run.model), reference.epochs[2])
    }
}

/// The divergence note names a NaN loss as `NaN` (x86's default NaN has its sign bit set,
/// which Swift prints as `-nan`).
final class DivergenceMessageTests: XCTestCase {
    func testANaNLossReadsNaN() throws {
        var options = TrainingOptions()
        options.epochs = 3; options.batchSize = 8; options.learningRate = 1e9; options.schedule = .constant
        let run = try TrainingRun(model: smallModel(), train: quadrants(32, seed: 1), dev: nil, options: options)
        var notes: [String] = []
        try run.run(progress: { if case .diverged(let what, _) = $0 { notes.append(what) } })
        XCTAssertEqual(run.stopReason, .diverged)
        let text = notes.joined(separator: "\n")
        XCTAssertFalse(text.contains("nan"), text)
        XCTAssertTrue(text.contains("became NaN") || text.contains("became infinite") || text.contains("weights became NaN"), text)
    }
}
