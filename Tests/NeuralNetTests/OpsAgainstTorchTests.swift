import Foundation
import XCTest
import TensorCore
import NeuralNet

// Tolerances: forward rtol 1e-4 / atol 1e-5; gradients rtol 1e-4 / atol 1e-4 (sums over
// batches of float32 products; PyTorch's own kernels reorder them).

final class OpsAgainstTorchTests: XCTestCase {
    var ops: [String: EngineFixtures.Entry] = [:]

    override func setUpWithError() throws { ops = try EngineFixtures.load("torch/ops.safetensors") }

    func testConvolutionsForwardAndBackward() throws {
        let meta = try EngineFixtures.metadata("torch/ops.safetensors")
        var i = 0
        while let x = ops["conv.\(i).x"] {
            let w = ops["conv.\(i).w"]!
            let m = try JSONSerialization.jsonObject(with: Data(meta["conv.\(i)"]!.utf8)) as! [String: Any]
            let stride = m["stride"] as! Int, padding = m["padding"] as! Int, hasBias = m["bias"] as! Bool
            let arena = ParameterArena()
            let conv = Conv2D("conv", w.shape[1], w.shape[0], kernel: w.shape[2], stride: stride, padding: padding,
                              bias: hasBias, arena: arena, workspace: Workspace())
            arena.allocate()
            for (k, v) in w.floats.enumerated() { arena.values[conv.weightOffset + k] = v }
            if hasBias { for (k, v) in ops["conv.\(i).b"]!.floats.enumerated() { arena.values[conv.biasOffset! + k] = v } }
            let y = conv.forward(EngineFixtures.nhwc(x))
            assertClose(EngineFixtures.nchw(y), ops["conv.\(i).y"]!.floats, "conv.\(i) forward")
            let gx = conv.backward(EngineFixtures.nhwc(ops["conv.\(i).gy"]!))!
            assertClose(EngineFixtures.nchw(gx), ops["conv.\(i).gx"]!.floats, atol: 1e-4, "conv.\(i) gx")
            let e = arena.entry(named: "conv.weight")!
            assertClose(arena.gradsArray(e), ops["conv.\(i).gw"]!.floats, atol: 1e-4, "conv.\(i) gw")
            if hasBias {
                assertClose(arena.gradsArray(arena.entry(named: "conv.bias")!), ops["conv.\(i).gb"]!.floats, atol: 1e-4, "conv.\(i) gb")
            }
            i += 1
        }
        XCTAssertGreaterThanOrEqual(i, 5, "expected the fixture's convolution cases")
    }

    func testBatchNormTrainingStepThenEval() {
        let arena = ParameterArena()
        let bn = BatchNorm2D("bn", 5, arena: arena)
        arena.allocate()
        bn.initialize()
        for j in 0..<5 {
            arena.values[bn.weightOffset + j] = ops["bn.gamma"]!.floats[j]
            arena.values[bn.biasOffset + j] = ops["bn.beta"]!.floats[j]
        }
        let y = bn.forward(EngineFixtures.nhwc(ops["bn.x"]!), training: true)
        assertClose(EngineFixtures.nchw(y), ops["bn.y"]!.floats, "bn forward")
        let gx = bn.backward(EngineFixtures.nhwc(ops["bn.gy"]!))
        assertClose(EngineFixtures.nchw(gx), ops["bn.gx"]!.floats, atol: 1e-4, "bn gx")
        assertClose(arena.gradsArray(arena.entry(named: "bn.weight")!), ops["bn.ggamma"]!.floats, atol: 1e-4, "bn ggamma")
        assertClose(arena.gradsArray(arena.entry(named: "bn.bias")!), ops["bn.gbeta"]!.floats, atol: 1e-4, "bn gbeta")
        assertClose(bn.runningMean, ops["bn.running_mean"]!.floats, "bn running_mean")
        assertClose(bn.runningVar, ops["bn.running_var"]!.floats, "bn running_var")
        let ye = bn.forward(EngineFixtures.nhwc(ops["bn.eval_x"]!), training: false)
        assertClose(EngineFixtures.nchw(ye), ops["bn.eval_y"]!.floats, "bn eval forward")
    }

    func testPoolingAndReLU() {
        let cases: [(String, (Tensor) -> Tensor, (Tensor) -> Tensor)] = {
            let p1 = MaxPool2D(kernel: 3, stride: 2, padding: 1), p2 = MaxPool2D(kernel: 2, stride: 2)
            let gap = GlobalAveragePool(), relu = ReLU()
            return [("maxpool3s2p1", p1.forward, p1.backward), ("maxpool2s2", p2.forward, p2.backward),
                    ("avgpool_global", gap.forward, gap.backward), ("relu", relu.forward, relu.backward)]
        }()
        for (name, forward, backward) in cases {
            let y = forward(EngineFixtures.nhwc(ops["\(name).x"]!))
            let expectedY = ops["\(name).y"]!
            // The global pool's [N, C] output is the same memory as PyTorch's [N, C, 1, 1].
            let yValues = name == "avgpool_global" ? y.toArray() : EngineFixtures.nchw(y)
            assertClose(yValues, expectedY.floats, "\(name) forward")
            let gy = ops["\(name).gy"]!
            let gyTensor: Tensor = name == "avgpool_global"
                ? Tensor(shape: [2, 3], values: gy.floats) // [N, C, 1, 1] is already [N, C]
                : EngineFixtures.nhwc(gy)
            let gx = backward(gyTensor)
            assertClose(EngineFixtures.nchw(gx), ops["\(name).gx"]!.floats, "\(name) gx")
        }
    }

    func testLinear() {
        let arena = ParameterArena()
        let lin = Linear("linear", 7, 3, arena: arena)
        arena.allocate()
        for (k, v) in ops["linear.w"]!.floats.enumerated() { arena.values[lin.weightOffset + k] = v }
        for (k, v) in ops["linear.b"]!.floats.enumerated() { arena.values[lin.biasOffset + k] = v }
        let y = lin.forward(Tensor(shape: [5, 7], values: ops["linear.x"]!.floats))
        assertClose(y.toArray(), ops["linear.y"]!.floats, "linear forward")
        let gx = lin.backward(Tensor(shape: [5, 3], values: ops["linear.gy"]!.floats))!
        assertClose(gx.toArray(), ops["linear.gx"]!.floats, "linear gx")
        assertClose(arena.gradsArray(arena.entry(named: "linear.weight")!), ops["linear.gw"]!.floats, "linear gw")
        assertClose(arena.gradsArray(arena.entry(named: "linear.bias")!), ops["linear.gb"]!.floats, "linear gb")
    }

    func testCrossEntropyPlainWeightedSmoothed() {
        let logits = Tensor(shape: [6, 4], values: ops["ce.logits"]!.floats)
        let labels = ops["ce.labels"]!.ints.map { Int($0) }
        let cases: [(String, CrossEntropyLoss)] = [
            ("ce.plain", CrossEntropyLoss()),
            ("ce.weighted", CrossEntropyLoss(classWeights: ops["ce.class_weights"]!.floats)),
            ("ce.smooth", CrossEntropyLoss(labelSmoothing: 0.1)),
        ]
        for (name, loss) in cases {
            let g = Tensor(shape: [0])
            let value = loss(logits, labels: labels, gradient: g)
            assertClose([value], ops["\(name).loss"]!.floats, "\(name) loss")
            assertClose(g.toArray(), ops["\(name).glogits"]!.floats, "\(name) glogits")
        }
    }
}
