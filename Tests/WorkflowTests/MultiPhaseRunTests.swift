import XCTest
import TensorCore
import NeuralNet
import Workflow

/// A run's history across phases: epochs numbered one after the other, the best epoch of all
/// phases, the accuracy there, and history.csv at full precision.
final class MultiPhaseRunTests: XCTestCase {
    /// A fine-tune of two head epochs and two of everything, trained.
    func twoPhaseRun(dev: Bool = true) throws -> MultiPhaseRun {
        var head = TrainingOptions()
        head.epochs = 2; head.batchSize = 8; head.learningRate = 0.05; head.seed = 5
        let plan = try FineTunePlan(head: head, allEpochs: 2, allLearningRate: 0.02, chooseFromData: false, trainCountsPerClass: [8, 8, 8, 8])
        let run = try MultiPhaseRun.fineTune(model: smallModel(), plan: plan, train: quadrants(32, seed: 1), dev: dev ? quadrants(12, seed: 2) : nil)
        try run.train()
        return run
    }

    func testEpochsAreNumberedAcrossPhasesAndTheBestIsTheLowestDevLossOfAll() throws {
        let run = try twoPhaseRun()
        let h = run.history
        XCTAssertEqual(h.map(\.epoch), [1, 2, 3, 4])
        XCTAssertEqual(run.epochPhases, [.head, .head, .all, .all])
        XCTAssertEqual(run.epochsRun, 4)
        XCTAssertEqual(h[2].trainLoss, run.phases[1].run.history[0].trainLoss, "epoch 3 is the second phase's first")
        let lowest = h.min { $0.devLoss! < $1.devLoss! }!
        XCTAssertEqual(run.bestEpoch, lowest.epoch)
        XCTAssertEqual(run.bestLoss, lowest.devLoss)
        XCTAssertEqual(run.accuracy, lowest.devAccuracy, "the dev accuracy at the best epoch")
        XCTAssertTrue(run.hasDev && run.hasDevEveryEpoch)
        XCTAssertFalse(run.stoppedEarly)
    }

    func testWithoutDevDataTheTrainLossDecides() throws {
        let run = try twoPhaseRun(dev: false)
        let lowest = run.history.min { $0.trainLoss < $1.trainLoss }!
        XCTAssertEqual(run.bestEpoch, lowest.epoch)
        XCTAssertEqual(run.accuracy, lowest.trainAccuracy)
        XCTAssertFalse(run.hasDev || run.hasDevEveryEpoch)
    }

    /// Every number reads back exactly; a missing dev measure is `none`; the phase comes last.
    func testHistoryCSVHasEveryEpochAtFullPrecision() throws {
        let run = try twoPhaseRun()
        let lines = run.historyCSV().split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.first, "epoch,train_loss,train_accuracy,dev_loss,dev_accuracy,lr,seconds,phase")
        XCTAssertEqual(lines.count, 4 + 2, "header, four epochs, and the final newline")
        XCTAssertEqual(lines.last, "")
        for (line, (r, phase)) in zip(lines.dropFirst(), zip(run.history, run.epochPhases)) {
            let f = line.split(separator: ",").map(String.init)
            XCTAssertEqual(f.count, 8, String(line))
            XCTAssertEqual(f[0], "\(r.epoch)")
            XCTAssertEqual([Double(f[1]), Double(f[2]), Double(f[3]), Double(f[4]), Double(f[5]), Double(f[6])],
                           [r.trainLoss, r.trainAccuracy, r.devLoss, r.devAccuracy, r.learningRate, r.seconds])
            XCTAssertEqual(f[7], phase.name)
        }

        // One phase, no dev set: no phase column, `none` for the dev measures.
        var options = TrainingOptions()
        options.epochs = 1; options.batchSize = 8; options.learningRate = 0.05
        let single = try TrainingRun(model: smallModel(), train: quadrants(16, seed: 1), dev: nil, options: options)
        try single.run()
        let csv = MultiPhaseRun(single).historyCSV().split(separator: "\n")
        XCTAssertEqual(csv[0], "epoch,train_loss,train_accuracy,dev_loss,dev_accuracy,lr,seconds")
        XCTAssertTrue(csv[1].hasPrefix("1,") && csv[1].contains(",none,none,"), String(csv[1]))
    }
}
