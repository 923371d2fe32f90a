import XCTest
import TensorCore
import NeuralNet
import Workflow
import LoupeBase

/// 8x8 grey images with a bright 3x3 square in one of four quadrants; the quadrant is the label.
func quadrants(_ count: Int, seed: UInt64, noise: Float = 0.1) -> TensorBatchSource {
    var rng = SeededGenerator(seed: seed)
    let x = Tensor(shape: [count, 8, 8, 1])
    var labels: [Int] = []
    for n in 0..<count {
        let label = n % 4
        labels.append(label)
        for i in 0..<64 { x[n * 64 + i] = rng.nextNormal() * noise }
        let oy = (label / 2) * 4 + rng.nextInt(below: 2), ox = (label % 2) * 4 + rng.nextInt(below: 2)
        for y in oy..<(oy + 3) { for xx in ox..<(ox + 3) { x[n * 64 + y * 8 + xx] += 1 } }
    }
    return TensorBatchSource(images: x, labels: labels, classCount: 4)
}

func smallModel(classes: Int = 4, seed: UInt64 = 3) -> ResNet {
    var c = try! ResNetConfig.resnet(depth: 20, classes: classes, inputChannels: 1)
    c.stages = [1, 1, 1]
    return ResNet(c, seed: seed)
}

final class WorkflowTrainingTests: XCTestCase {
    func testTrainingLearnsAndRecordsHistory() throws {
        var options = TrainingOptions()
        options.epochs = 8; options.learningRate = 0.05; options.batchSize = 16
        let run = try TrainingRun(model: smallModel(), train: quadrants(64, seed: 1), dev: quadrants(32, seed: 2), options: options)
        var batches = 0
        try run.run(progress: { if case .batch = $0 { batches += 1 } })
        XCTAssertEqual(run.epochsRun, 8)
        XCTAssertEqual(batches, 8 * 4)
        XCTAssertGreaterThan(run.history.last!.devAccuracy!, 0.85)
        XCTAssertLessThan(run.history.last!.trainLoss, run.history.first!.trainLoss)
        let csv = MultiPhaseRun(run).historyCSV().split(separator: "\n")
        XCTAssertEqual(csv.count, 9)
        XCTAssertEqual(csv[0], "epoch,train_loss,train_accuracy,dev_loss,dev_accuracy,lr,seconds")
        let e = try evaluate(run.model, on: quadrants(40, seed: 9))
        XCTAssertGreaterThan(e.accuracy, 0.85)
        XCTAssertEqual(e.confusion.flatMap { $0 }.reduce(0, +), 40)
        XCTAssertEqual(e.topK[4]!, 1.0, "the label is always among all four classes")
    }

    func testEarlyStoppingRestoresTheBestEpoch() throws {
        // Random labels on the dev set: the dev loss cannot keep improving, so patience runs out.
        let dev = quadrants(16, seed: 5)
        let shuffled = TensorBatchSource(images: dev.images, labels: dev.labels.map { ($0 + 1) % 4 }, classCount: 4)
        var options = TrainingOptions()
        options.epochs = 30; options.learningRate = 0.05; options.earlyStop = 2; options.batchSize = 16
        let run = try TrainingRun(model: smallModel(), train: quadrants(32, seed: 4), dev: shuffled, options: options)
        try run.run()
        XCTAssertTrue(run.stoppedEarly)
        XCTAssertLessThan(run.epochsRun, 30)
        let best = run.history.first { $0.epoch == run.bestEpoch }!
        // The restored weights reproduce the best epoch's dev loss.
        let e = try evaluate(run.model, on: shuffled)
        XCTAssertEqual(e.loss, best.devLoss!, accuracy: 1e-4)
    }

    func testDivergenceStopsAndRestoresFiniteWeights() throws {
        var options = TrainingOptions()
        options.epochs = 3; options.learningRate = 1e6; options.schedule = .constant; options.batchSize = 8
        let run = try TrainingRun(model: smallModel(), train: quadrants(32, seed: 1), dev: nil, options: options)
        var suggested: [Float] = []
        try run.run(progress: { if case .diverged(_, let rate) = $0 { suggested.append(rate) } })
        XCTAssertEqual(run.stopReason, .diverged)
        XCTAssertTrue(run.model.isFinite)
        XCTAssertEqual(suggested, [1e5], "a tenth of the rate is suggested")
    }

    /// Weights that turn non-finite in an epoch's last step, while every loss it reported was
    /// finite, are caught at the end of that epoch; the restored weights are the epoch's start.
    func testWeightsBrokenAtTheEndOfAnEpochAreNotKept() throws {
        var options = TrainingOptions()
        options.epochs = 3; options.learningRate = 0.01; options.schedule = .constant; options.batchSize = 8
        let run = try TrainingRun(model: smallModel(), train: quadrants(16, seed: 1), dev: nil, options: options)
        var notes: [String] = []
        var afterEpoch1: [Float] = []
        try run.run(progress: { event in
            switch event {
            case .diverged(let what, _): notes.append(what)
            case .epochStarted(epoch: 2, of: _, batches: _): afterEpoch1 = Array(UnsafeBufferPointer(start: run.model.arena.values, count: run.model.arena.count))
            case .batch(epoch: 2, batch: let b, of: let total, loss: _, seconds: _) where b == total: run.model.arena.values[0] = .infinity
            default: break
            }
        })
        XCTAssertEqual(run.stopReason, .diverged)
        XCTAssertEqual(run.epochsRun, 1, "the broken epoch is not recorded")
        XCTAssertTrue(run.model.isFinite)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: run.model.arena.values, count: run.model.arena.count)), afterEpoch1,
                       "the weights from the start of epoch 2")
        XCTAssertTrue(notes.joined().contains("weights became NaN or infinite in epoch 2"), "\(notes)")
    }

    func testInterruptionLeavesAConsistentModelAndResumeContinues() throws {
        var options = TrainingOptions()
        options.epochs = 2; options.batchSize = 8
        let run = try TrainingRun(model: smallModel(), train: quadrants(32, seed: 1), dev: quadrants(8, seed: 2), options: options)
        var calls = 0
        try run.run(shouldStop: { calls += 1; return calls > 6 })
        XCTAssertEqual(run.stopReason, .interrupted)
        XCTAssertEqual(run.epochsRun, 1)
        XCTAssertTrue(run.model.isFinite)
        try run.run()
        XCTAssertEqual(run.epochsRun, 2)
        try run.run(extraEpochs: 2)
        XCTAssertEqual(run.epochsRun, 4)
    }

    func testSameSeedSameHistory() throws {
        func once() throws -> [EpochRecord] {
            var options = TrainingOptions()
            options.epochs = 2; options.batchSize = 8; options.seed = 7
            let run = try TrainingRun(model: smallModel(seed: 1), train: quadrants(32, seed: 1), dev: quadrants(8, seed: 2), options: options)
            try run.run()
            return run.history.map { var r = $0; r.seconds = 0; return r }
        }
        XCTAssertEqual(try once(), try once())
    }

    func testBadOptionsNameTheParameter() {
        var options = TrainingOptions()
        options.earlyStop = 3
        XCTAssertThrowsError(try TrainingRun(model: smallModel(), train: quadrants(8, seed: 1), dev: nil, options: options)) {
            XCTAssertTrue("\($0)".hasPrefix("early_stop:"), "\($0)")
        }
        options = TrainingOptions(); options.learningRate = -1
        XCTAssertThrowsError(try TrainingRun(model: smallModel(), train: quadrants(8, seed: 1), dev: nil, options: options)) {
            XCTAssertTrue("\($0)".hasPrefix("lr:"), "\($0)")
        }
        XCTAssertThrowsError(try TrainingRun(model: smallModel(classes: 3), train: quadrants(8, seed: 1), dev: nil, options: TrainingOptions())) {
            XCTAssertEqual($0 as? WorkflowError, .classCountMismatch(model: 3, data: 4))
        }
    }

    func testAutoBatchSize() {
        XCTAssertEqual(TrainingOptions.autoBatchSize(trainCount: 150), 16)
        XCTAssertEqual(TrainingOptions.autoBatchSize(trainCount: 3000), 32)
        XCTAssertEqual(TrainingOptions.autoBatchSize(trainCount: 60000), 64)
        XCTAssertEqual(ClassWeighting.auto.weights(countsPerClass: [10, 30])!, [2, 2.0 / 3.0])
    }
}

final class WorkflowStepsTests: XCTestCase {
    func testRangeTestPicksALargeWorkingRateAndLeavesTheModelUnchanged() throws {
        let model = smallModel()
        let before = model.snapshot()
        let r = try learningRateRangeTest(model, data: quadrants(64, seed: 1), rates: [10, 0.1, 0.01, 0.0001], batches: 12,
                                          options: { var o = TrainingOptions(); o.batchSize = 8; return o }())
        XCTAssertEqual(r.curves.map(\.learningRate), [10, 0.1, 0.01, 0.0001])
        XCTAssertFalse(r.curves[0].decreasing, "lr 10 must not count as decreasing: \(r.curves[0].losses)")
        XCTAssertEqual(r.best, 0.1, "curves: \(r.curves.map { ($0.learningRate, $0.losses.prefix(3), $0.losses.suffix(3)) })")
        XCTAssertTrue(model.snapshot() == before, "the model changed")
    }

    /// `decreasing` reads the smoothed curve: a falling loss with one noisy last batch still
    /// falls, a flat noisy loss does not, and a partial last batch is not trained on.
    func testRangeTestJudgesTheSmoothedCurveAndSkipsThePartialBatch() throws {
        // Falls 10% over 40 steps with ±2% alternating noise, but the first batch happened to
        // come out low: most raw losses sit above it for a third of the run.
        var falling: [Double] = []
        for i in 0..<40 {
            let trend: Double = 2.4 * (1 - 0.1 * Double(i) / 39)
            falling.append(trend * (i % 2 == 0 ? 1.02 : 0.98))
        }
        falling[0] = 2.2
        let f = RangeTestCurve(learningRate: 0.01, losses: falling)
        XCTAssertTrue(f.decreasing, "smoothed \(f.smoothed.suffix(5))")
        let flat = RangeTestCurve(learningRate: 0.0001, losses: (0..<40).map { (i: Int) -> Double in i % 2 == 0 ? 2.346 : 2.254 })
        XCTAssertFalse(flat.decreasing)
        let rising = RangeTestCurve(learningRate: 1, losses: (0..<40).map { (i: Int) -> Double in 2.3 + 0.01 * Double(i) })
        XCTAssertFalse(rising.decreasing)
        XCTAssertEqual(f.smoothed.count, 40)
        XCTAssertEqual(f.smoothed[0], falling[0], accuracy: 1e-12, "bias-corrected: the first value is the first loss")

        // 68 images in batches of 8: 8 full batches and a partial one of 4, which is skipped.
        let r = try learningRateRangeTest(smallModel(), data: quadrants(68, seed: 2), rates: [0.01],
                                          options: { var o = TrainingOptions(); o.batchSize = 8; return o }())
        XCTAssertEqual(r.curves[0].losses.count, 8)
    }

    func testLearningRateFinderSuggestsARateInsideTheSweep() throws {
        let model = smallModel()
        let before = model.snapshot()
        let f = try learningRateFinder(model, data: quadrants(64, seed: 1), start: 1e-5, end: 10, iterations: 60,
                                       options: { var o = TrainingOptions(); o.batchSize = 8; return o }())
        XCTAssertGreaterThan(f.rates.count, 20)
        for s in [f.valley, f.steep, f.minimum * 10] { XCTAssertTrue(s >= 1e-5 && s <= 10, "\(s)") }
        XCTAssertLessThan(f.valley, 1, "valley should sit before the blow-up")
        XCTAssertTrue(model.snapshot() == before, "the model changed")
    }

    func testOverfitPassesOnFiveImagesAndFlagsTooLittleTraining() throws {
        let five = quadrants(5, seed: 3)
        let ok = try overfitCheck(smallModel(), data: five, steps: 60, learningRate: 3e-3)
        XCTAssertTrue(ok.passed, "loss \(ok.finalTrainingLoss) eval \(ok.evaluationLoss) acc \(ok.evaluationAccuracy)")
        XCTAssertTrue(ok.causes.isEmpty)
        let bad = try overfitCheck(smallModel(), data: five, steps: 5, learningRate: 1e-6)
        XCTAssertFalse(bad.passed)
        XCTAssertTrue(bad.causes.contains(.notConverged(steps: 5)), "\(bad.causes)")
    }

    func testDiagnosisReadsTheCurves() {
        func rec(_ e: Int, _ tl: Double, _ ta: Double, _ dl: Double, _ da: Double) -> EpochRecord {
            EpochRecord(epoch: e, trainLoss: tl, trainAccuracy: ta, devLoss: dl, devAccuracy: da, learningRate: 0.1, seconds: 1)
        }
        let over = [rec(1, 1.0, 0.7, 0.9, 0.7), rec(2, 0.5, 0.85, 0.6, 0.8), rec(3, 0.2, 0.95, 0.7, 0.8), rec(4, 0.05, 0.99, 0.9, 0.8)]
        XCTAssertEqual(diagnose(over).verdict, .overfitting)
        let under = [rec(1, 2.0, 0.3, 2.0, 0.3), rec(2, 1.6, 0.45, 1.6, 0.45), rec(3, 1.3, 0.55, 1.3, 0.55)]
        XCTAssertEqual(diagnose(under).verdict, .underfitting)
        let fine = [rec(1, 0.5, 0.85, 0.5, 0.85), rec(2, 0.2, 0.94, 0.22, 0.93), rec(3, 0.19, 0.95, 0.21, 0.94)]
        XCTAssertEqual(diagnose(fine).verdict, .healthy)
        XCTAssertFalse(diagnose(over).remedies.isEmpty)
    }
}
