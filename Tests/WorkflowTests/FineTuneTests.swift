import XCTest
import TensorCore
import NeuralNet
import Workflow

/// The fine-tune policy without the language: the plan (head alone under 50 images in the
/// median class, else head then everything at a tenth of the rate) and the phases it trains,
/// with the backbone frozen for the head, trainable for everything, and back as it was however
/// the run ends.
final class FineTuneTests: XCTestCase {
    /// What a run of phases reports, the backbone's state at each epoch's start, and an error
    /// thrown at the end of a chosen epoch of a chosen phase (or weights broken in its last batch).
    final class Recorder: PhaseObserver {
        struct Failure: Error {}
        let model: ResNet
        var failAt: (phase: TrainingPhase, epoch: Int)?
        var breakWeightsAt: (phase: TrainingPhase, epoch: Int)?
        var began: [String] = []
        var frozenAtEpochStart: [Bool] = []
        var finished: [TrainingPhase] = []
        private var current: TrainingPhase?

        init(_ model: ResNet, failAt: (phase: TrainingPhase, epoch: Int)? = nil) {
            self.model = model
            self.failAt = failAt
        }

        func phaseWillTrain(_ phase: RunPhase, epochOffset: Int, begun: Bool) {
            began.append("\(phase.phase.name) after \(epochOffset)\(begun ? ", begun" : "")")
            current = phase.phase
        }

        func handle(_ event: TrainingEvent) {
            switch event {
            case .epochStarted: frozenAtEpochStart.append(model.backboneFrozen)
            case .batch(let epoch, let batch, let of, _, _) where batch == of && breakWeightsAt.map({ $0.phase == current && $0.epoch == epoch }) == true:
                model.arena.values[0] = .infinity
            default: break
            }
        }

        func phaseDidTrain(_ phase: RunPhase) { finished.append(phase.phase) }

        func epochEnded(_ model: ResNet, epoch: Int) throws {
            if let f = failAt, f.phase == current, f.epoch == epoch { throw Failure() }
        }
    }

    func plan(headEpochs: Int = 2, allEpochs: Int = 1, rate: Float = 0.05) throws -> FineTunePlan {
        var head = TrainingOptions()
        head.epochs = headEpochs; head.batchSize = 8; head.learningRate = rate; head.seed = 5
        var plan = try FineTunePlan(head: head, allEpochs: allEpochs, allLearningRate: nil, chooseFromData: false, trainCountsPerClass: [8, 8, 8, 8])
        plan.all?.seed = 6
        return plan
    }

    func fineTune(_ model: ResNet, _ plan: FineTunePlan) throws -> MultiPhaseRun {
        try MultiPhaseRun.fineTune(model: model, plan: plan, train: quadrants(32, seed: 1), dev: quadrants(8, seed: 2))
    }

    func weights(_ model: ResNet) -> [Float] { model.state().flatMap(\.values) }

    func testPlanTrainsTheHeadAloneBelowFiftyImagesInTheMedianClass() throws {
        let head = TrainingOptions()
        let small = try FineTunePlan(head: head, allEpochs: 5, allLearningRate: nil, chooseFromData: true, trainCountsPerClass: [60, 10, 49, 30])
        XCTAssertEqual(small.choice, .headOnly(medianImagesPerClass: 49))
        XCTAssertNil(small.all)
        let large = try FineTunePlan(head: head, allEpochs: 5, allLearningRate: nil, chooseFromData: true, trainCountsPerClass: [20, 50, 80, 50])
        XCTAssertEqual(large.choice, .headThenAll(medianImagesPerClass: 50))
        XCTAssertEqual(large.all?.epochs, 5)
        XCTAssertEqual(large.all?.learningRate, head.learningRate / 10, "everything at a tenth of the head's rate")
        XCTAssertFalse(large.allRateAboveATenth)

        // Numbers given: no choice from the data, whatever its size.
        let given = try FineTunePlan(head: head, allEpochs: 2, allLearningRate: 0.001, chooseFromData: false, trainCountsPerClass: [3, 3])
        XCTAssertEqual(given.choice, .asGiven)
        XCTAssertEqual(given.all?.epochs, 2)
        XCTAssertTrue(given.allRateAboveATenth, "0.001 is above a tenth of 0.003")
        XCTAssertNil(try FineTunePlan(head: head, allEpochs: 0, allLearningRate: nil, chooseFromData: false, trainCountsPerClass: [80, 80]).all)
        XCTAssertThrowsError(try FineTunePlan(head: head, allEpochs: -1, allLearningRate: nil, chooseFromData: false, trainCountsPerClass: [80])) {
            XCTAssertEqual($0 as? WorkflowError, .invalidParameter(name: "epochs", reason: "must be 0 (head only) or more, got -1"))
        }
    }

    func testHeadOnFrozenBackboneThenEverythingTrainable() throws {
        let model = smallModel()
        let run = try fineTune(model, try plan())
        XCTAssertFalse(model.backboneFrozen, "making the run changes nothing")
        XCTAssertNotNil(run.pending)
        let recorder = Recorder(model)
        try run.train(observer: recorder)
        XCTAssertEqual(recorder.frozenAtEpochStart, [true, true, false])
        XCTAssertEqual(recorder.began, ["head after 0", "all after 2, begun"])
        XCTAssertEqual(recorder.finished, [.head, .all])
        XCTAssertEqual(run.phases.map(\.phase), [.head, .all])
        XCTAssertNil(run.pending)
        XCTAssertEqual(run.phases[1].run.options.learningRate, run.phases[0].run.options.learningRate / 10)
        XCTAssertFalse(model.backboneFrozen)
    }

    /// After both steps everything stays trainable (fastai's behaviour); after the head alone
    /// the backbone is as it was.
    func testTheFreezeStateAfterAFinishedFineTune() throws {
        let frozen = smallModel()
        frozen.freezeBackbone(true)
        try fineTune(frozen, try plan(headEpochs: 1, allEpochs: 1)).train()
        XCTAssertFalse(frozen.backboneFrozen, "a finished second step leaves everything trainable")

        for was in [false, true] {
            let model = smallModel()
            model.freezeBackbone(was)
            let recorder = Recorder(model)
            try fineTune(model, try plan(headEpochs: 1, allEpochs: 0)).train(observer: recorder)
            XCTAssertEqual(recorder.frozenAtEpochStart, [true])
            XCTAssertEqual(model.backboneFrozen, was, "the head alone puts the backbone back")
        }
    }

    func testAnErrorMidwayPutsTheBackboneBack() throws {
        for (was, phase) in [(false, TrainingPhase.head), (true, .all)] {
            let model = smallModel()
            model.freezeBackbone(was)
            let run = try fineTune(model, try plan())
            let recorder = Recorder(model, failAt: (phase, 1))
            XCTAssertThrowsError(try run.train(observer: recorder)) { XCTAssertTrue($0 is Recorder.Failure, "\($0)") }
            XCTAssertEqual(model.backboneFrozen, was, "an error in the \(phase.name) step")
            XCTAssertEqual(recorder.finished.last, phase, "the observer hears that the phase stopped")
        }
    }

    /// Ctrl-C in the head step keeps the second step pending and the backbone as it was; the
    /// next `train` finishes the head, trains everything, and ends where an uninterrupted
    /// fine-tune ends, bit for bit.
    func testAnInterruptedHeadStepResumesIntoTheSecondStep() throws {
        let reference = smallModel()
        try fineTune(reference, try plan()).train()

        let model = smallModel()
        let run = try fineTune(model, try plan())
        var polls = 0
        // 4 batches an epoch: stop in the head's epoch 2 after 2 of its batches.
        try run.train(shouldStop: { polls += 1; return polls == 4 + 3 })
        XCTAssertEqual(run.stopReason, .interrupted)
        XCTAssertEqual(run.epochsRun, 1)
        XCTAssertNotNil(run.pending, "the second step waits")
        XCTAssertFalse(model.backboneFrozen, "interrupted, the backbone is back as it was")

        let recorder = Recorder(model)
        try run.train(observer: recorder)
        XCTAssertEqual(recorder.frozenAtEpochStart, [true, false], "the head step goes on frozen")
        XCTAssertEqual(run.phases.map(\.phase), [.head, .all])
        XCTAssertEqual(run.epochsRun, 3)
        XCTAssertEqual(weights(model), weights(reference))
    }

    func testADivergedHeadStepDropsTheSecondStep() throws {
        let model = smallModel()
        let run = try fineTune(model, try plan())
        let recorder = Recorder(model)
        recorder.breakWeightsAt = (.head, 2)
        try run.train(observer: recorder)
        XCTAssertEqual(run.stopReason, .diverged)
        XCTAssertEqual(run.epochsRun, 1, "epoch 2 is undone")
        XCTAssertTrue(model.isFinite)
        XCTAssertNil(run.pending)
        XCTAssertEqual(run.phases.count, 1)
        XCTAssertFalse(model.backboneFrozen)
    }

    func testStopAfterCountsEpochsAcrossPhases() throws {
        let model = smallModel()
        let run = try fineTune(model, try plan(headEpochs: 2, allEpochs: 2))
        try run.train(stopAfter: 3)
        XCTAssertEqual(run.phases.map(\.phase), [.head, .all])
        XCTAssertEqual(run.epochsRun, 3)
        XCTAssertEqual(run.stopReason, .interrupted)
        XCTAssertEqual(run.run.stopPoint?.epoch, 2)
        XCTAssertFalse(model.backboneFrozen)
    }
}
