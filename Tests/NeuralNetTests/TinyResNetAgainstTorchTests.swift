import XCTest
import TensorCore
import NeuralNet

// The fixture's network: small stem 3→8, layer1 BasicBlock(8), layer2 BasicBlock(8→16, /2),
// layer3 Bottleneck(16→32, width 8, /2), fc 32→5; input [4, 3, 12, 12].
// Tolerances: logits and loss rtol 1e-4; gradients rtol 1e-3 / atol 1e-5 (a whole network of
// float32 reductions); parameters after optimizer steps rtol 1e-4 / atol 1e-6.

final class TinyResNetAgainstTorchTests: XCTestCase {
    static let config = ResNetConfig(depth: 0, stageKinds: [.basic, .basic, .bottleneck], stages: [1, 1, 1],
                                     widths: [8, 16, 8], stem: .small, inputChannels: 3, classes: 5)
    var fx: [String: EngineFixtures.Entry] = [:]

    override func setUpWithError() throws { fx = try EngineFixtures.load("torch/tinyresnet.safetensors") }

    func makeModel() throws -> ResNet {
        let model = ResNet(Self.config, seed: 1)
        try model.load(state: { name in self.fx["param.\(name)"].map { (shape: $0.shape, values: $0.floats) } })
        return model
    }

    var input: Tensor { EngineFixtures.nhwc(fx["x"]!) }
    var labels: [Int] { fx["labels"]!.ints.map { Int($0) } }

    func testStateNamesMatchTorchvision() throws {
        let model = try makeModel()
        let mine = Set(model.state().map(\.name))
        let theirs = Set(fx.keys.filter { $0.hasPrefix("param.") }.map { String($0.dropFirst(6)) })
        XCTAssertEqual(mine, theirs)
    }

    func testForwardLossGradientsAndRunningStatistics() throws {
        let model = try makeModel()
        let logits = model.forward(input, training: true)
        assertClose(logits.toArray(), fx["logits"]!.floats, "logits")
        let g = Tensor(shape: [0])
        let loss = CrossEntropyLoss()(logits, labels: labels, gradient: g)
        assertClose([loss], fx["loss"]!.floats, "loss")
        model.arena.zeroGrads()
        model.backward(g)
        var checked = 0
        for e in model.arena.entries {
            guard let expected = fx["grad.\(e.name)"] else { XCTFail("no reference gradient for \(e.name)"); continue }
            assertClose(model.arena.gradsArray(e), expected.floats, rtol: 1e-3, atol: 1e-5, "grad \(e.name)")
            checked += 1
        }
        XCTAssertEqual(checked, model.arena.entries.count)
        for s in model.state() where s.name.contains("running") {
            assertClose(s.values, fx["after_forward.\(s.name)"]!.floats, "\(s.name) after forward")
        }
        let evalLogits = model.forward(input, training: false)
        assertClose(evalLogits.toArray(), fx["eval_logits"]!.floats, "eval logits")
    }

    func testTwoStepsOfSGDAndAdamW() throws {
        let cases: [(String, Optimizer, Float)] = [("sgd2", SGD(momentum: 0.9, weightDecay: 5e-4), 0.1),
                                                  ("adamw2", AdamW(weightDecay: 0.01), 0.01)]
        for (prefix, optimizer, lr) in cases {
            let model = try makeModel()
            for _ in 0..<2 {
                model.arena.zeroGrads()
                let logits = model.forward(input, training: true)
                let g = Tensor(shape: [0])
                _ = CrossEntropyLoss()(logits, labels: labels, gradient: g)
                model.backward(g)
                optimizer.step(model.arena, learningRate: { _ in lr }, trainable: model.isTrainable)
            }
            for e in model.arena.entries {
                assertClose(model.arena.valuesArray(e), fx["\(prefix).\(e.name)"]!.floats, rtol: 1e-4, atol: 1e-6, "\(prefix) \(e.name)")
            }
        }
    }

    /// The fixture's two SGD steps, run twice: bit-identical losses and weights.
    func testTwoStepsAreBitIdenticalOnRerun() throws {
        var runs: [([Float], [Float])] = []
        for _ in 0..<2 {
            let model = try makeModel()
            let optimizer = SGD(momentum: 0.9, weightDecay: 5e-4)
            var losses: [Float] = []
            for _ in 0..<2 {
                model.arena.zeroGrads()
                let logits = model.forward(input, training: true)
                let g = Tensor(shape: [0])
                losses.append(CrossEntropyLoss()(logits, labels: labels, gradient: g))
                model.backward(g)
                optimizer.step(model.arena, learningRate: { _ in 0.1 }, trainable: model.isTrainable)
            }
            runs.append((losses, model.arena.snapshot()))
        }
        XCTAssertEqual(runs[0].0, runs[1].0)
        XCTAssertTrue(runs[0].1 == runs[1].1, "weights differ between two runs of the fixture")
    }
}
