import XCTest
import TensorCore
import NeuralNet
import LoupeBase

/// Conv2D on oneDNN against the plain references `convolutionNaive`,
/// `convolutionNaiveInputGradient` and `convolutionNaiveWeightGradient`.
final class ConvolutionOneDNNTests: XCTestCase {
    func random(_ n: Int, _ rng: inout SeededGenerator) -> [Float] { (0..<n).map { _ in rng.nextNormal() } }

    // (input channels, output channels, height, width, kernel, stride, padding, bias)
    let geometries: [(c: Int, oc: Int, h: Int, w: Int, k: Int, s: Int, p: Int, bias: Bool)] = [
        (3, 5, 7, 6, 3, 1, 1, false), (1, 16, 9, 9, 3, 1, 1, true), (4, 6, 9, 9, 3, 2, 1, true), (3, 8, 11, 10, 7, 2, 3, false),
        (5, 4, 5, 5, 1, 2, 0, false), (3, 2, 4, 4, 1, 1, 0, true), (2, 3, 3, 3, 5, 1, 2, false), (16, 32, 8, 8, 3, 2, 1, false),
        (32, 16, 6, 6, 3, 1, 0, true), (1, 3, 6, 7, 2, 2, 0, false), (8, 24, 5, 5, 1, 1, 0, false), (3, 64, 12, 12, 7, 2, 3, false),
    ]

    func worst(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { abs($0 - $1) / (1 + abs($1)) }.max() ?? 0 }

    func testForwardAndBothGradientsMatchTheNaiveReference() {
        var rng = SeededGenerator(seed: 14)
        for t in geometries {
            let arena = ParameterArena()
            let conv = Conv2D("c", t.c, t.oc, kernel: t.k, stride: t.s, padding: t.p, bias: t.bias, arena: arena, workspace: Workspace())
            arena.allocate()
            conv.initialize(&rng)
            if let b = conv.biasOffset { for o in 0..<t.oc { arena.values[b + o] = rng.nextNormal() } }
            arena.didWrite()
            let n = 3
            let x = Tensor(shape: [n, t.h, t.w, t.c], values: random(n * t.h * t.w * t.c, &rng))
            let g = ConvGeometry(channels: t.c, height: t.h, width: t.w, kernelH: t.k, kernelW: t.k, stride: t.s, padding: t.p)
            let y = conv.forward(x)
            XCTAssertEqual(y.shape, [n, g.outHeight, g.outWidth, t.oc])
            var reference = [Float](repeating: 0, count: y.count)
            convolutionNaive(x.data, count: n, g, weight: arena.values + conv.weightOffset, outChannels: t.oc, into: &reference)
            if let b = conv.biasOffset { for i in reference.indices { reference[i] += arena.values[b + i % t.oc] } }
            XCTAssertLessThan(worst(y.toArray(), reference), 1e-4, "forward \(t)")

            // Gradients accumulate: start from non-zero values.
            let start = random(arena.count, &rng)
            for i in 0..<arena.count { arena.grads[i] = start[i] }
            let dy = Tensor(shape: y.shape, values: random(y.count, &rng))
            let dx = conv.backward(dy)!
            var dxRef = [Float](repeating: 0, count: x.count)
            convolutionNaiveInputGradient(dy.data, count: n, g, weight: arena.values + conv.weightOffset, outChannels: t.oc, into: &dxRef)
            XCTAssertLessThan(worst(dx.toArray(), dxRef), 1e-4, "dx \(t)")
            let wCount = t.oc * t.c * t.k * t.k
            var dwRef = [Float](repeating: 0, count: wCount)
            convolutionNaiveWeightGradient(x.data, dy.data, count: n, g, outChannels: t.oc, into: &dwRef)
            let dw = (0..<wCount).map { arena.grads[conv.weightOffset + $0] - start[conv.weightOffset + $0] }
            XCTAssertLessThan(worst(dw, dwRef), 1e-3, "dW \(t)")
            if let b = conv.biasOffset {
                for o in 0..<t.oc {
                    var s = 0.0
                    for r in 0..<(y.count / t.oc) { s += Double(dy[r * t.oc + o]) }
                    XCTAssertEqual(Double(arena.grads[b + o] - start[b + o]), s, accuracy: 1e-3 * max(1, abs(s)), "db \(t)")
                }
            }
        }
    }

    /// `relu?(y·scale + shift + residual?)` per output channel, in plain Swift.
    func epilogueApplied(_ y: [Float], _ e: ConvEpilogue) -> [Float] {
        let oc = e.scale.count
        return y.indices.map { i in
            let v = y[i] * e.scale[i % oc] + e.shift[i % oc] + (e.residual.map { $0[i] } ?? 0)
            return e.relu ? max(v, 0) : v
        }
    }

    func testFoldedPostOpsMatchConvolutionThenAffineResidualReLU() {
        var rng = SeededGenerator(seed: 15)
        for t in geometries {
            let arena = ParameterArena()
            let conv = Conv2D("c", t.c, t.oc, kernel: t.k, stride: t.s, padding: t.p, bias: true, arena: arena, workspace: Workspace())
            arena.allocate()
            conv.initialize(&rng)
            for o in 0..<t.oc { arena.values[conv.biasOffset! + o] = rng.nextNormal() }
            arena.didWrite()
            for batch in [2, 1] {
                let x = Tensor(shape: [batch, t.h, t.w, t.c], values: random(batch * t.h * t.w * t.c, &rng))
                let plain = conv.forward(x).toArray()
                let scale = random(t.oc, &rng), shift = random(t.oc, &rng)
                let residual = Tensor(shape: conv.output.shape, values: random(plain.count, &rng))
                for relu in [false, true] { for withResidual in [false, true] {
                    let e = ConvEpilogue(scale: scale, shift: shift, relu: relu, residual: withResidual ? residual : nil)
                    let folded = conv.forward(x, epilogue: e).toArray()
                    let expected = epilogueApplied(plain, e)
                    XCTAssertLessThan(worst(folded, expected), 1e-4, "\(t) batch \(batch) relu \(relu) residual \(withResidual)")
                } }
            }
        }
    }

    /// The inference path keeps the reordered weight; every weight-writing path bumps the arena's
    /// version, and the next inference forward sees the new weight.
    func testInferenceWeightCacheFollowsEveryWrite() throws {
        var rng = SeededGenerator(seed: 16)
        let arena = ParameterArena()
        let conv = Conv2D("c", 16, 32, kernel: 3, stride: 1, padding: 1, arena: arena, workspace: Workspace())
        arena.allocate()
        conv.initialize(&rng)
        let x = Tensor(shape: [2, 6, 6, 16], values: random(2 * 6 * 6 * 16, &rng))
        let e = ConvEpilogue(scale: [Float](repeating: 1, count: 32), shift: [Float](repeating: 0, count: 32), relu: false)
        func reference() -> [Float] {
            let g = ConvGeometry(channels: 16, height: 6, width: 6, kernelH: 3, kernelW: 3, stride: 1, padding: 1)
            var r = [Float](repeating: 0, count: 2 * 6 * 6 * 32)
            convolutionNaive(x.data, count: 2, g, weight: arena.values + conv.weightOffset, outChannels: 32, into: &r)
            return r
        }
        XCTAssertLessThan(worst(conv.forward(x, epilogue: e).toArray(), reference()), 1e-4, "first")
        // An optimizer step.
        for i in 0..<arena.count { arena.grads[i] = rng.nextNormal() }
        SGD(momentum: 0.9).step(arena, learningRate: { _ in 0.5 }, trainable: { _ in true })
        XCTAssertLessThan(worst(conv.forward(x, epilogue: e).toArray(), reference()), 1e-4, "after an SGD step")
        AdamW().step(arena, learningRate: { _ in 0.5 }, trainable: { _ in true })
        XCTAssertLessThan(worst(conv.forward(x, epilogue: e).toArray(), reference()), 1e-4, "after an AdamW step")
        // A restore.
        let snapshot = (0..<arena.count).map { _ in rng.nextNormal() }
        arena.restore(snapshot)
        XCTAssertLessThan(worst(conv.forward(x, epilogue: e).toArray(), reference()), 1e-4, "after a restore")
        // Re-initialisation.
        conv.initialize(&rng)
        XCTAssertLessThan(worst(conv.forward(x, epilogue: e).toArray(), reference()), 1e-4, "after initialize")
    }

    /// A model's load and restore reach its convolutions' inference caches.
    func testModelLoadAndRestoreInvalidateInference() throws {
        var config = try ResNetConfig.resnet(depth: 20, classes: 3, inputChannels: 1)
        config.stages = [1, 1, 1]
        let a = ResNet(config, seed: 1), b = ResNet(config, seed: 2)
        var rng = SeededGenerator(seed: 17)
        let x = Tensor(shape: [2, 12, 12, 1], values: random(2 * 144, &rng))
        let yb = b.forward(x, training: false).toArray()
        let ya = a.forward(x, training: false).toArray()
        XCTAssertNotEqual(ya, yb)
        let state = Dictionary(uniqueKeysWithValues: b.state().map { ($0.name, (shape: $0.shape, values: $0.values)) })
        try a.load(state: { state[$0] })
        XCTAssertEqual(a.forward(x, training: false).toArray(), yb, "after load")
        let fresh = ResNet(config, seed: 1)
        a.restore(fresh.snapshot())
        XCTAssertEqual(a.forward(x, training: false).toArray(), ya, "after restore")
    }

    /// A 1x1 convolution with stride 2 (a downsampling shortcut) gives the right dW on every
    /// call: oneDNN 2.6.3's `jit_1x1:avx2` strided weight gradient, which Conv2D no longer uses
    /// (`unitStrideShape`), got 3->4 channels at 6x6 wrong in most runs of these 160 calls under
    /// DNNL_MAX_CPU_ISA=AVX2 with 2 threads, whatever the workspace held before.
    func testStridedOneByOneWeightGradientIsRightOnEveryCall() {
        for (c, oc, h) in [(3, 4, 6), (5, 4, 5), (64, 128, 8)] {
            for round in 0..<20 { for value in [Float.nan, 1e3, -7.5, 0x1p-140] {
                var rng = SeededGenerator(seed: 3)
                let arena = ParameterArena(), ws = Workspace()
                let conv = Conv2D("d", c, oc, kernel: 1, stride: 2, padding: 0, arena: arena, workspace: ws)
                arena.allocate(); conv.initialize(&rng)
                let n = 2
                let x = Tensor(shape: [n, h, h, c], values: random(n * h * h * c, &rng))
                let g = ConvGeometry(channels: c, height: h, width: h, kernelH: 1, kernelW: 1, stride: 2, padding: 0)
                let y = conv.forward(x)
                arena.zeroGrads()
                let dy = Tensor(shape: y.shape, values: random(y.count, &rng))
                let bytes = 1 << 20   // whatever an earlier layer left in the workspace
                for p in [ws.scratchpad(bytes)!, ws.weights(bytes: bytes), UnsafeMutableRawPointer(ws.subsampled(count: bytes / 4))] {
                    p.assumingMemoryBound(to: Float.self).update(repeating: value, count: bytes / 4)
                }
                _ = conv.backward(dy)
                var dwRef = [Float](repeating: 0, count: oc * c)
                convolutionNaiveWeightGradient(x.data, dy.data, count: n, g, outChannels: oc, into: &dwRef)
                let dw = (0..<dwRef.count).map { arena.grads[conv.weightOffset + $0] }
                XCTAssertLessThan(worst(dw, dwRef), 1e-4, "dW \(c)->\(oc) at \(h), round \(round), workspace held \(value)")
            } }
        }
    }

    /// oneDNN's Winograd path (3x3/1, 64+ channels, 16x16+, AVX-512): chunks of 16 images and a smaller
    /// last chunk, each reordered to the blocked layout and back, against the naive reference.
    func testWinogradPassesMatchTheNaiveReference() throws {
        // oneDNN's Winograd, not Loupe's own (WinogradConvolutionTests), which goes first.
        let own = WinogradPolicy.active
        WinogradPolicy.active = false
        defer { WinogradPolicy.active = own }
        var rng = SeededGenerator(seed: 21)
        for (c, oc, h, w, n) in [(64, 128, 16, 16, 20), (128, 64, 17, 16, 3)] {
            let arena = ParameterArena()
            let conv = Conv2D("w", c, oc, kernel: 3, stride: 1, padding: 1, arena: arena, workspace: Workspace())
            arena.allocate()
            conv.initialize(&rng)
            let names = conv.implementations(batch: n, height: h, width: w).map(\.implementation)
            let wino = names.prefix(3).allSatisfy { $0.hasPrefix("jit_wino") }
            if OneDNN.isa.hasPrefix("AVX-512") && !OneDNN.isa.contains("MIC") && OneDNNWinogradPolicy.enabled {
                XCTAssertTrue(wino, "\(c)->\(oc) at \(h)x\(w): \(names)")
            }
            let x = Tensor(shape: [n, h, w, c], values: random(n * h * w * c, &rng))
            let g = ConvGeometry(channels: c, height: h, width: w, kernelH: 3, kernelW: 3, stride: 1, padding: 1)
            let y = conv.forward(x)
            var reference = [Float](repeating: 0, count: y.count)
            convolutionNaive(x.data, count: n, g, weight: arena.values + conv.weightOffset, outChannels: oc, into: &reference)
            XCTAssertLessThan(worst(y.toArray(), reference), 1e-4, "forward \(c)->\(oc)")
            let start = random(arena.count, &rng)
            for i in 0..<arena.count { arena.grads[i] = start[i] }
            let dy = Tensor(shape: y.shape, values: random(y.count, &rng))
            let dx = conv.backward(dy)!
            var dxRef = [Float](repeating: 0, count: x.count)
            convolutionNaiveInputGradient(dy.data, count: n, g, weight: arena.values + conv.weightOffset, outChannels: oc, into: &dxRef)
            XCTAssertLessThan(worst(dx.toArray(), dxRef), 1e-4, "dx \(c)->\(oc)")
            var dwRef = [Float](repeating: 0, count: oc * c * 9)
            convolutionNaiveWeightGradient(x.data, dy.data, count: n, g, outChannels: oc, into: &dwRef)
            let dw = (0..<dwRef.count).map { arena.grads[conv.weightOffset + $0] - start[conv.weightOffset + $0] }
            // 2e-3: Winograd weight gradients sum 5120 products per weight here in the transformed
            // domain; under DNNL_MAX_CPU_ISA=AVX2 Loupe's own F(4x4, 3x3) reaches 1.03e-3.
            XCTAssertLessThan(worst(dw, dwRef), 2e-3, "dW \(c)->\(oc)")
        }
    }

    /// Inference by oneDNN's Winograd (3x3/1, 64+ channels, 7x7+, AVX-512): the BatchNorm folded into
    /// the weight and bias, the shortcut by a sum post-op, chunks of 16 and a smaller last chunk,
    /// against the direct training forward followed by the affine map, residual and ReLU; the
    /// folded weight follows a weight write and a changed BatchNorm.
    func testWinogradInferenceMatchesConvolutionThenAffineResidualReLU() throws {
        let own = WinogradPolicy.active
        WinogradPolicy.active = false
        defer { WinogradPolicy.active = own }
        var rng = SeededGenerator(seed: 22)
        for (c, oc, h, w, n) in [(64, 128, 8, 8, 19), (128, 64, 7, 9, 1)] {
            let arena = ParameterArena()
            let conv = Conv2D("wi", c, oc, kernel: 3, stride: 1, padding: 1, bias: true, arena: arena, workspace: Workspace())
            arena.allocate()
            conv.initialize(&rng)
            for o in 0..<oc { arena.values[conv.biasOffset! + o] = rng.nextNormal() }
            arena.didWrite()
            let inference = conv.implementations(batch: n, height: h, width: w, inference: OneDNNPostOps(scaleShift: true, residual: true, relu: true))
                .first { $0.pass == "inference" }!.implementation
            if OneDNN.isa.hasPrefix("AVX-512") && !OneDNN.isa.contains("MIC") && OneDNNWinogradPolicy.enabled {
                XCTAssertTrue(inference.contains("wino"), "\(c)->\(oc) at \(h)x\(w): \(inference)")
            }
            let x = Tensor(shape: [n, h, w, c], values: random(n * h * w * c, &rng))
            for round in 0..<3 {
                if round == 1 {   // an optimizer step writes the weights
                    for i in 0..<arena.count { arena.grads[i] = rng.nextNormal() }
                    SGD(momentum: 0.9).step(arena, learningRate: { _ in 0.1 }, trainable: { _ in true })
                }
                let plain = conv.forward(x).toArray()
                // Round 2 changes only the BatchNorm (scale and shift), not the weights.
                let scale = random(oc, &rng), shift = random(oc, &rng)
                let residual = Tensor(shape: conv.output.shape, values: random(plain.count, &rng))
                for relu in [false, true] { for withResidual in [false, true] {
                    let e = ConvEpilogue(scale: scale, shift: shift, relu: relu, residual: withResidual ? residual : nil)
                    let folded = conv.forward(x, epilogue: e).toArray()
                    let expected = epilogueApplied(plain, e)
                    // 3e-4, not 1e-4: under DNNL_MAX_CPU_ISA=AVX2 Loupe's own F(4x4, 3x3) computes both
                    // sides, the folded one with the scale inside the transformed weight (1.6e-4 seen).
                    XCTAssertLessThan(worst(folded, expected), 3e-4, "\(c)->\(oc) batch \(n) round \(round) relu \(relu) residual \(withResidual)")
                    XCTAssertEqual(conv.forward(x, epilogue: e).toArray(), folded, "rerun")
                } }
            }
        }
    }

    func testRepeatedPassesAreBitIdentical() {
        var rng = SeededGenerator(seed: 18)
        let arena = ParameterArena()
        let conv = Conv2D("c", 64, 64, kernel: 3, stride: 1, padding: 1, arena: arena, workspace: Workspace())
        arena.allocate()
        conv.initialize(&rng)
        // 20 images: on AVX-512 the Winograd path's chunk of 16 and its last chunk of 4.
        let x = Tensor(shape: [20, 16, 16, 64], values: random(20 * 16 * 16 * 64, &rng))
        let dy = Tensor(shape: [20, 16, 16, 64], values: random(20 * 16 * 16 * 64, &rng))
        var runs: [([Float], [Float], [Float])] = []
        for _ in 0..<3 {
            arena.zeroGrads()
            let y = conv.forward(x).toArray()
            let dx = conv.backward(dy)!.toArray()
            runs.append((y, dx, Array(UnsafeBufferPointer(start: arena.grads, count: arena.count))))
        }
        for r in runs.dropFirst() {
            XCTAssertTrue(r.0 == runs[0].0 && r.1 == runs[0].1 && r.2 == runs[0].2)
        }
    }
}
