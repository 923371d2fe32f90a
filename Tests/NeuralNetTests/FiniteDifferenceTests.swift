import XCTest
import TensorCore
import NeuralNet
import LoupeBase

// Central differences of L = Σ yᵢ·rᵢ (r fixed and random, so dL/dy = r) against each layer's
// backward, L summed in Double; tolerance |a − n| ≤ 2e-3 + 2e-2·|n|, sized for float32 forward
// passes. Step h = 1e-2 for single layers. Composite blocks use h = 1e-3: after BatchNorm many
// activations sit near zero, and a step that carries one across a ReLU's kink costs about
// |y|/2h in the numeric estimate (seen as 20–50% errors with h = 1e-2 on correct code), and at
// h = 1e-3 float32 rounding in L is ~5e-3 in the estimate, so composites are held to
// 1e-2 + 5e-2·|n|: still far below the O(1) error of a missing or doubled gradient path. The
// blocks' exact gradients are pinned by TinyResNetAgainstTorchTests.

final class FiniteDifferenceTests: XCTestCase {
    var rng = SeededGenerator(seed: 42)

    func randomTensor(_ shape: [Int], scale: Float = 1) -> Tensor {
        let t = Tensor(shape: shape)
        for i in 0..<t.count { t[i] = rng.nextNormal() * scale }
        return t
    }

    /// Checks dL/dx and, when given, dL/dparameters of `forward` against `backward`.
    func check(_ what: String, input x: Tensor, arena: ParameterArena? = nil, step h: Float = 1e-2,
               atol: Double = 2e-3, rtol: Double = 2e-2,
               forward: @escaping (Tensor) -> Tensor, backward: @escaping (Tensor) -> Tensor?,
               file: StaticString = #filePath, line: UInt = #line) {
        let y0 = forward(x)
        let r = randomTensor(y0.shape)
        func loss() -> Double {
            let y = forward(x)
            var s = 0.0
            for i in 0..<y.count { s += Double(y[i]) * Double(r[i]) }
            return s
        }
        arena?.zeroGrads()
        _ = forward(x)
        let dx = backward(r.clone())?.toArray()   // a backward may overwrite its dy
        let dParams = arena.map { Array(UnsafeBufferPointer(start: $0.grads, count: $0.count)) }
        func numeric(_ p: UnsafeMutablePointer<Float>) -> Double {
            let old = p.pointee
            // Parameters are written behind the layers' backs: say so (a folded convolution
            // caches its reordered weight until the arena's version moves).
            p.pointee = old + h; arena?.didWrite(); let up = loss()
            p.pointee = old - h; arena?.didWrite(); let down = loss()
            p.pointee = old; arena?.didWrite()
            return (up - down) / Double(2 * h)
        }
        func compare(_ analytic: Float, _ n: Double, _ label: String) {
            let ok = abs(Double(analytic) - n) <= atol + rtol * abs(n)
            if !ok { XCTFail("\(what) \(label): analytic \(analytic), numeric \(n)", file: file, line: line) }
        }
        if let dx {
            for i in stride(from: 0, to: x.count, by: max(1, x.count / 40)) { compare(dx[i], numeric(x.data + i), "dx[\(i)]") }
        }
        if let arena, let dParams {
            for e in arena.entries {
                for i in stride(from: e.offset, to: e.offset + e.count, by: max(1, e.count / 12)) {
                    compare(dParams[i], numeric(arena.values + i), "d\(e.name)[\(i - e.offset)]")
                }
            }
        }
    }

    func fill(_ arena: ParameterArena, scale: Float = 0.5) {
        for i in 0..<arena.count { arena.values[i] = rng.nextNormal() * scale }
        arena.didWrite()
    }

    func testConv2D() {
        for (k, s, p, bias) in [(3, 1, 1, true), (3, 2, 1, false), (1, 2, 0, false), (1, 1, 0, true), (5, 2, 2, true)] {
            let arena = ParameterArena()
            let conv = Conv2D("c", 3, 4, kernel: k, stride: s, padding: p, bias: bias, arena: arena, workspace: Workspace())
            arena.allocate(); fill(arena)
            check("conv k\(k) s\(s) p\(p)", input: randomTensor([2, 7, 6, 3]), arena: arena,
                  forward: conv.forward, backward: conv.backward)
        }
    }

    /// One layer at two batch sizes and input sizes: a primitive per shape, both kept.
    func testConv2DAtTwoShapes() {
        let arena = ParameterArena()
        let conv = Conv2D("c", 2, 3, kernel: 3, stride: 1, padding: 1, arena: arena, workspace: Workspace())
        arena.allocate(); fill(arena)
        check("conv batch 3", input: randomTensor([3, 5, 5, 2]), arena: arena, forward: conv.forward, backward: conv.backward)
        check("conv batch 1", input: randomTensor([1, 6, 4, 2]), arena: arena, forward: conv.forward, backward: conv.backward)
    }

    func testBatchNormTrainingAndEval() {
        for training in [true, false] {
            let arena = ParameterArena()
            let bn = BatchNorm2D("bn", 3, arena: arena)
            arena.allocate(); bn.initialize(); fill(arena)
            bn.runningMean = [0.1, -0.2, 0.3]; bn.runningVar = [0.5, 1.5, 2]
            check("batchnorm training=\(training)", input: randomTensor([2, 4, 3, 3], scale: 2), arena: arena,
                  forward: { bn.forward($0, training: training) }, backward: bn.backward)
        }
    }

    func testReLUMaxPoolGlobalPool() {
        let relu = ReLU()
        check("relu", input: randomTensor([2, 3, 3, 2]), forward: relu.forward, backward: relu.backward)
        let pool = MaxPool2D(kernel: 3, stride: 2, padding: 1)
        check("maxpool", input: randomTensor([2, 5, 6, 2]), forward: pool.forward, backward: pool.backward)
        let gap = GlobalAveragePool()
        check("global average pool", input: randomTensor([2, 3, 4, 5]), forward: gap.forward, backward: gap.backward)
    }

    func testLinear() {
        let arena = ParameterArena()
        let lin = Linear("fc", 6, 4, arena: arena)
        arena.allocate(); fill(arena)
        check("linear", input: randomTensor([3, 6]), arena: arena, forward: lin.forward, backward: lin.backward)
    }

    /// A fresh layer with the same seed draws the same mask, so the function being differentiated is fixed.
    func testDropout() {
        var last: Dropout?
        check("dropout", input: randomTensor([4, 10]),
              forward: { x in let d = Dropout(probability: 0.3, seed: 9); last = d; return d.forward(x, training: true) },
              backward: { last!.backward($0) })
    }

    func testResidualAddReLU() {
        let join = ResidualAddReLU()
        let other = randomTensor([2, 3, 3, 4])
        check("residual add+relu", input: randomTensor([2, 3, 3, 4]), forward: { join.forward($0, other) }, backward: join.backward)
    }

    func testCrossEntropyWithWeightsAndSmoothing() {
        let loss = CrossEntropyLoss(classWeights: [1, 2, 0.5, 1.5], labelSmoothing: 0.1)
        let labels = [0, 3, 1, 2, 2]
        let grad = Tensor(shape: [0])
        check("cross-entropy", input: randomTensor([5, 4], scale: 2),
              forward: { Tensor(shape: [1], values: [loss($0, labels: labels, gradient: grad)]) },
              backward: { r in let g = grad.clone(); for i in 0..<g.count { g[i] *= r[0] }; return g })
    }

    func testBasicAndBottleneckBlocks() {
        let arenaA = ParameterArena(), ws = Workspace()
        let basic = BasicBlock("b", inChannels: 3, channels: 4, stride: 2, arena: arenaA, workspace: ws)
        arenaA.allocate(); fill(arenaA)
        for bn in basic.norms { for j in 0..<bn.channels { arenaA.values[bn.weightOffset + j] = 1 + 0.1 * Float(j) } }
        check("basic block", input: randomTensor([2, 6, 6, 3]), arena: arenaA, step: 1e-3, atol: 1e-2, rtol: 5e-2,
              forward: { basic.forward($0, training: true) }, backward: basic.backward)
        let arenaB = ParameterArena()
        let bottleneck = Bottleneck("n", inChannels: 4, width: 2, stride: 1, arena: arenaB, workspace: ws)
        arenaB.allocate(); fill(arenaB)
        for bn in bottleneck.norms { for j in 0..<bn.channels { arenaB.values[bn.weightOffset + j] = 1 + 0.1 * Float(j) } }
        check("bottleneck block", input: randomTensor([2, 5, 5, 4]), arena: arenaB, step: 1e-3, atol: 1e-2, rtol: 5e-2,
              forward: { bottleneck.forward($0, training: true) }, backward: bottleneck.backward)
    }

    /// The whole network, with a hidden head layer (dropout 0 so the function is fixed).
    func testWholeResNetWithHiddenHead() throws {
        var config = try ResNetConfig.resnet(depth: 20, classes: 3, inputChannels: 2, hidden: 16, dropout: 0)
        config.stages = [1, 1, 1]
        let model = ResNet(config, seed: 5)
        let x = randomTensor([2, 8, 8, 2])
        let labels = [0, 2]
        let g = Tensor(shape: [0])
        // Backward of the network gives parameter gradients only (the stem needs no input gradient).
        check("resnet", input: x, arena: model.arena, step: 1e-3, atol: 1e-2, rtol: 5e-2,
              forward: { Tensor(shape: [1], values: [CrossEntropyLoss()(model.forward($0, training: false), labels: labels, gradient: g)]) },
              backward: { r in g.buffer.indices.forEach { g[$0] *= r[0] }; model.backward(g); return nil })
    }
}
