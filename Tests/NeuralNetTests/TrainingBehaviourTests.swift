import XCTest
import TensorCore
import NeuralNet
import LoupeBase

/// A synthetic problem: 8x8 grey images, a bright 3x3 square in one of four quadrants; the
/// quadrant is the label.
func quadrantProblem(count: Int, seed: UInt64) -> (Tensor, [Int]) {
    var rng = SeededGenerator(seed: seed)
    let x = Tensor(shape: [count, 8, 8, 1])
    var labels: [Int] = []
    for n in 0..<count {
        let label = n % 4
        labels.append(label)
        for i in 0..<64 { x[n * 64 + i] = rng.nextNormal() * 0.1 }
        let oy = (label / 2) * 4 + rng.nextInt(below: 2), ox = (label % 2) * 4 + rng.nextInt(below: 2)
        for y in oy..<(oy + 3) { for xx in ox..<(ox + 3) { x[n * 64 + y * 8 + xx] += 1 } }
    }
    return (x, labels)
}

final class TrainingBehaviourTests: XCTestCase {
    func smallConfig(classes: Int = 4) throws -> ResNetConfig {
        var c = try ResNetConfig.resnet(depth: 20, classes: classes, inputChannels: 1)
        c.stages = [1, 1, 1]
        return c
    }

    func train(_ model: ResNet, steps: Int, lr: Float, x: Tensor, labels: [Int], optimizer: Optimizer = SGD(momentum: 0.9, weightDecay: 5e-4)) -> [Float] {
        var losses: [Float] = []
        let g = Tensor(shape: [0])
        for _ in 0..<steps {
            model.arena.zeroGrads()
            let logits = model.forward(x, training: true)
            losses.append(CrossEntropyLoss()(logits, labels: labels, gradient: g))
            model.backward(g)
            optimizer.step(model.arena, learningRate: { _ in lr }, trainable: model.isTrainable)
        }
        return losses
    }

    func testSmallResNetDrivesTheLossNearZero() throws {
        let (x, labels) = quadrantProblem(count: 32, seed: 1)
        let model = ResNet(try smallConfig(), seed: 7)
        let losses = train(model, steps: 60, lr: 0.05, x: x, labels: labels)
        XCTAssertGreaterThan(losses[0], 1.0, "starts near ln 4")
        XCTAssertLessThan(losses.last!, 0.05, "losses: \(losses.suffix(5))")
        // Evaluation mode (running statistics) classifies the training images too.
        let logits = model.forward(x, training: false)
        var correct = 0
        for n in 0..<32 {
            let row = (0..<4).map { logits[n * 4 + $0] }
            if row.firstIndex(of: row.max()!) == labels[n] { correct += 1 }
        }
        XCTAssertEqual(correct, 32)
    }

    /// The same on ResNet-18 with the small stem (64–512 channels: oneDNN's AVX-512 kernels,
    /// whose weight-gradient reductions are split across threads).
    func testResNet18SameSeedGivesBitIdenticalWeightsAndLosses() throws {
        var rng = SeededGenerator(seed: 3)
        let x = Tensor(shape: [16, 16, 16, 3], values: (0..<(16 * 16 * 16 * 3)).map { _ in rng.nextNormal() })
        let labels = (0..<16).map { $0 % 10 }
        var runs: [([Float], [Float])] = []
        for _ in 0..<2 {
            let model = ResNet(try ResNetConfig.resnet(depth: 18, classes: 10, inputChannels: 3, stem: .small), seed: 4)
            let losses = train(model, steps: 3, lr: 0.05, x: x, labels: labels)
            runs.append((losses, model.arena.snapshot()))
        }
        XCTAssertEqual(runs[0].0, runs[1].0)
        XCTAssertTrue(runs[0].1 == runs[1].1, "weights differ between two runs with the same seed")
    }

    func testSameSeedGivesBitIdenticalWeightsAndLosses() throws {
        let (x, labels) = quadrantProblem(count: 16, seed: 2)
        var runs: [([Float], [Float])] = []
        for _ in 0..<2 {
            let model = ResNet(try smallConfig(), seed: 11)
            let losses = train(model, steps: 5, lr: 0.05, x: x, labels: labels, optimizer: AdamW(weightDecay: 0.01))
            runs.append((losses, model.arena.snapshot()))
        }
        XCTAssertEqual(runs[0].0, runs[1].0)
        XCTAssertTrue(runs[0].1 == runs[1].1, "weights differ between two runs with the same seed")
        let other = ResNet(try smallConfig(), seed: 12)
        XCTAssertFalse(other.arena.snapshot() == ResNet(try smallConfig(), seed: 11).arena.snapshot())
    }

    /// A small stem's output lives in a workspace tensor the blocks above overwrite, and is
    /// rebuilt before the first block's backward: the same bits as keeping it. Stages [2, 1]
    /// (as r18s: the downsampling block's input gradient lands where the stem's output was) and
    /// [1, 1, 1] (two downsampling blocks: the other pass-down tensor).
    func testTheStemOutputInTheWorkspaceChangesNoBit() throws {
        let (x, labels) = quadrantProblem(count: 16, seed: 4)
        for stages in [[2, 1], [1, 1, 1]] {
            let c = ResNetConfig(depth: 0, block: .basic, stages: stages, widths: [16, 32, 64].prefix(stages.count).map { $0 },
                                 stem: .small, inputChannels: 1, classes: 4)
            var runs: [([Float], [Float])] = []
            for shared in [true, false] {
                let model = ResNet(c, seed: 9)
                model.stemOutputInWorkspace = shared
                let losses = train(model, steps: 3, lr: 0.05, x: x, labels: labels)
                runs.append((losses, model.arena.snapshot()))
            }
            XCTAssertEqual(runs[0].0, runs[1].0, "stages \(stages)")
            XCTAssertTrue(runs[0].1 == runs[1].1, "stages \(stages): weights differ with the stem's output in the workspace")
        }
    }

    func testFrozenBackboneTrainsOnlyTheHeadAndKeepsBatchNormStatistics() throws {
        let (x, labels) = quadrantProblem(count: 16, seed: 3)
        let model = ResNet(try smallConfig(), seed: 5)
        model.freezeBackbone(true)
        XCTAssertEqual(model.trainableParameterCount, 64 * 4 + 4)
        let before = model.state()
        _ = train(model, steps: 3, lr: 0.1, x: x, labels: labels)
        for (a, b) in zip(before, model.state()) {
            if a.name.hasPrefix("fc.") { XCTAssertNotEqual(a.values, b.values, "\(a.name) should learn") }
            else { XCTAssertEqual(a.values, b.values, "\(a.name) should stay frozen") }
        }
        // Frozen layers compute no weight gradients at all.
        for e in model.arena.entries where !e.isHead {
            XCTAssertTrue(model.arena.gradsArray(e).allSatisfy { $0 == 0 }, e.name)
        }
        model.freezeBackbone(false)
        _ = train(model, steps: 1, lr: 0.1, x: x, labels: labels)
        XCTAssertNotEqual(before.first { $0.name == "conv1.weight" }!.values, model.state().first { $0.name == "conv1.weight" }!.values)
    }

    func testDecayPolicyExcludesNormAndBias() {
        let arena = ParameterArena()
        let lin = Linear("fc", 2, 1, arena: arena)
        _ = BatchNorm2D("bn", 1, arena: arena)
        arena.allocate()
        for i in 0..<arena.count { arena.values[i] = 1 }
        let sgd = SGD(momentum: 0, weightDecay: 0.5, decayPolicy: .weightsOnly)
        sgd.step(arena, learningRate: { _ in 1 }, trainable: { _ in true })
        XCTAssertEqual(arena.valuesArray(arena.entry(named: "fc.weight")!), [0.5, 0.5])
        XCTAssertEqual(arena.valuesArray(arena.entry(named: "fc.bias")!), [1])
        XCTAssertEqual(arena.valuesArray(arena.entry(named: "bn.weight")!), [1])
        _ = lin
    }

    func testSchedules() {
        XCTAssertEqual(Schedule.constant.rate(base: 0.1, step: 50, total: 100), 0.1)
        XCTAssertEqual(Schedule.step.rate(base: 0.1, step: 60, total: 100), 0.01, accuracy: 1e-7)
        XCTAssertEqual(Schedule.cosine.rate(base: 0.1, step: 0, total: 100), 0.1, accuracy: 1e-7)
        XCTAssertEqual(Schedule.cosine.rate(base: 0.1, step: 50, total: 100), 0.05, accuracy: 1e-6)
        // One-cycle: starts at base/25, peaks at 30%, ends near base/2.5e5.
        XCTAssertEqual(Schedule.onecycle.rate(base: 0.1, step: 0, total: 100), 0.004, accuracy: 1e-7)
        let peak = (0..<100).map { Schedule.onecycle.rate(base: 0.1, step: $0, total: 100) }
        XCTAssertEqual(peak.firstIndex(of: peak.max()!), 29)
        XCTAssertEqual(peak.last!, 0.1 / 25 / 1e4, accuracy: 1e-9)
    }
}
