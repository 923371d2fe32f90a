import XCTest
import TensorCore
import NeuralNet
import LoupeBase

/// Loupe's own Winograd F(4x4, 3x3) kernels (TensorCore's `WinogradConvolution`, the C target
/// CWinograd), which take 3x3/1 layers of 16–256 channels at 7x7 or more (the weight gradient from
/// 32 channels). The policy turns them on here, and each ISA's kernels run in turn; the judge is the naive
/// reference.
final class WinogradConvolutionTests: XCTestCase {
    private var wasActive = false, wasKernels = WinogradPolicy.Kernels.avx2

    override func setUpWithError() throws {
        try XCTSkipUnless(WinogradPolicy.supported, "no AVX2 + FMA on this CPU")
        wasActive = WinogradPolicy.active
        wasKernels = WinogradPolicy.kernels
        WinogradPolicy.active = true
    }

    override func tearDown() { WinogradPolicy.active = wasActive; WinogradPolicy.kernels = wasKernels }

    /// Runs `body` with each instruction set's kernels this CPU has.
    func forEachKernels(_ body: (WinogradPolicy.Kernels) -> Void) {
        for k in WinogradPolicy.Kernels.allCases where k.supported {
            WinogradPolicy.kernels = k
            body(k)
        }
    }

    func random(_ n: Int, _ rng: inout SeededGenerator) -> [Float] { (0..<n).map { _ in rng.nextNormal() } }
    /// The largest difference relative to 1 + |reference|.
    func worst(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { abs($0 - $1) / (1 + abs($1)) }.max() ?? 0 }

    // (in, out, height, width, batch): whole tiles, edge tiles on both sides, the smallest size (8),
    // chunk boundaries inside images (64 channels: 126 tiles per forward chunk, 434 per
    // weight-gradient chunk, 64 per Float sum; 468 tiles here), 256 channels, a bias; then narrow
    // layers, odd numbers of sixteen channels (16, 48, 80: a last single-vector panel under
    // AVX-512), 7x7, and 16 channels, whose weight gradient stays on oneDNN; last, a weight
    // gradient split between threads by tile (320 tiles of 32 channels: 160 per thread of 2, in
    // chunks of 108, sums of 64). Every way of sharing the work runs (`testEachSplitRuns`).
    let cases: [(c: Int, oc: Int, h: Int, w: Int, n: Int, bias: Bool)] = [
        (64, 128, 16, 16, 3, false), (128, 64, 9, 11, 2, false), (96, 64, 8, 9, 5, true),
        (64, 64, 23, 21, 13, false), (256, 64, 10, 8, 2, true), (64, 256, 8, 8, 1, false),
        (16, 16, 13, 12, 3, false), (32, 48, 7, 9, 2, true), (16, 32, 7, 7, 4, false), (48, 16, 10, 10, 2, false),
        (80, 64, 8, 8, 2, false), (32, 32, 16, 16, 20, false),
    ]

    /// The cases above run every split of the work between threads (with 2 or more threads): the
    /// forward in chunks, by tile and by point, the weight gradient by tile and by point.
    func testEachSplitRuns() throws {
        try XCTSkipIf(Parallel.threads < 2, "one thread: every pass runs in chunks or by point")
        func conv(_ i: Int) -> WinogradConvolution {
            let t = cases[i]
            return WinogradConvolution(OneDNNConvolutionShape(batch: t.n, channels: t.c, height: t.h, width: t.w, outChannels: t.oc,
                                                              kernel: 3, stride: 1, padding: 1, hasBias: t.bias))!
        }
        XCTAssertEqual(conv(3).forwardSplit, .chunks)            // 468 tiles of 64 channels
        XCTAssertEqual(conv(6).forwardSplit, .byTile)            // 36 tiles of 16
        XCTAssertEqual(conv(8).forwardSplit, .byTile)            // 16 tiles, 16 -> 32
        XCTAssertEqual(conv(5).forwardSplit, .byPoint)           // 4 tiles, 64 -> 256
        XCTAssertEqual(conv(5).inputGradientSplit, .byPoint)
        XCTAssertEqual(conv(11).weightGradientSplit, .byTile)    // 320 tiles of 32 channels
        XCTAssertEqual(conv(3).weightGradientSplit, .byPoint)    // 468 tiles of 64
        XCTAssertEqual(conv(0).weightGradientSplit, .byPoint)
        // ResNet-20's layers at batch 128 and r18's first stage at one image take theirs by tile.
        let r20 = OneDNNConvolutionShape(batch: 128, channels: 32, height: 14, width: 14, outChannels: 32, kernel: 3, stride: 1, padding: 1, hasBias: false)
        XCTAssertEqual(WinogradConvolution(r20)?.weightGradientSplit, .byTile)
        let r18 = OneDNNConvolutionShape(batch: 1, channels: 64, height: 56, width: 56, outChannels: 64, kernel: 3, stride: 1, padding: 1, hasBias: false)
        XCTAssertEqual(WinogradConvolution(r18)?.forwardSplit, .byTile)
    }

    func testAllThreePassesMatchTheNaiveReference() { forEachKernels { kernels in
        var rng = SeededGenerator(seed: 31)
        for t in cases {
            let arena = ParameterArena()
            let conv = Conv2D("wg", t.c, t.oc, kernel: 3, stride: 1, padding: 1, bias: t.bias, arena: arena, workspace: Workspace())
            arena.allocate()
            conv.initialize(&rng)
            if let b = conv.biasOffset { for o in 0..<t.oc { arena.values[b + o] = rng.nextNormal() } }
            arena.didWrite()
            let names = conv.implementations(batch: t.n, height: t.h, width: t.w).map(\.implementation)
            let ownGradient = min(t.c, t.oc) >= 32
            XCTAssertEqual(names.enumerated().filter { $0.offset != 2 }.map(\.element),
                           Array(repeating: WinogradPolicy.implementation, count: 3), "\(t)")
            if ownGradient { XCTAssertEqual(names[2], WinogradPolicy.implementation, "\(t)") }
            else { XCTAssertFalse(names[2].hasPrefix("loupe:") || names[2].hasPrefix("ref:"), "weight gradient \(names[2]), \(t)") }
            let x = Tensor(shape: [t.n, t.h, t.w, t.c], values: random(t.n * t.h * t.w * t.c, &rng))
            let g = ConvGeometry(channels: t.c, height: t.h, width: t.w, kernelH: 3, kernelW: 3, stride: 1, padding: 1)
            let y = conv.forward(x).toArray()
            var reference = [Float](repeating: 0, count: y.count)
            convolutionNaive(x.data, count: t.n, g, weight: arena.values + conv.weightOffset, outChannels: t.oc, into: &reference)
            if let b = conv.biasOffset { for i in reference.indices { reference[i] += arena.values[b + i % t.oc] } }
            XCTAssertLessThan(worst(y, reference), 1e-4, "forward \(kernels) \(t)")

            let start = random(arena.count, &rng)
            for i in 0..<arena.count { arena.grads[i] = start[i] }
            let dy = Tensor(shape: [t.n, t.h, t.w, t.oc], values: random(y.count, &rng))
            let dx = conv.backward(dy)!.toArray()
            var dxRef = [Float](repeating: 0, count: x.count)
            convolutionNaiveInputGradient(dy.data, count: t.n, g, weight: arena.values + conv.weightOffset, outChannels: t.oc, into: &dxRef)
            XCTAssertLessThan(worst(dx, dxRef), 1e-4, "dx \(kernels) \(t)")
            var dwRef = [Float](repeating: 0, count: t.oc * t.c * 9)
            convolutionNaiveWeightGradient(x.data, dy.data, count: t.n, g, outChannels: t.oc, into: &dwRef)
            let dw = (0..<dwRef.count).map { arena.grads[conv.weightOffset + $0] - start[conv.weightOffset + $0] }
            // dW sums n·H·W products per weight (6279 in the largest case): its error is held
            // against the gradient's own scale, as the data-parallel tests hold theirs. Up to 4.7e-6
            // here is the transforms' own rounding (one sum of at most 64 tiles); see below for
            // the sums over a batch.
            let scale = dwRef.map { abs($0) }.max()!
            let dwError = zip(dw, dwRef).map { abs($0 - $1) }.max()! / scale
            XCTAssertLessThan(dwError, 6e-6, "dW \(kernels) \(t)")

            // The same inputs again give the same bits (each output is summed in one fixed order).
            for i in 0..<arena.count { arena.grads[i] = start[i] }
            XCTAssertEqual(conv.forward(x).toArray(), y, "forward rerun \(t)")
            XCTAssertEqual(conv.backward(dy)!.toArray(), dx, "dx rerun \(t)")
            XCTAssertEqual((0..<dwRef.count).map { arena.grads[conv.weightOffset + $0] - start[conv.weightOffset + $0] }, dw, "dW rerun \(t)")
        }
    } }

    /// The weight gradient over a batch of 1,536 tiles (ResNet-20's 32 channels at 14x14, 96
    /// images) stays within a direct sum's error of the naive reference: its sums run in Double,
    /// 64 tiles at a time in Float. One Float sum over the batch measured 5.8e-6 here.
    func testTheWeightGradientOverABatchSumsAsAccuratelyAsADirectSum() { forEachKernels { kernels in
        var rng = SeededGenerator(seed: 34)
        let (c, size, n) = (32, 14, 96)
        let arena = ParameterArena()
        let conv = Conv2D("wb", c, c, kernel: 3, stride: 1, padding: 1, arena: arena, workspace: Workspace())
        arena.allocate()
        conv.initialize(&rng)
        XCTAssertEqual(conv.implementations(batch: n, height: size, width: size)[2].implementation, WinogradPolicy.implementation)
        // After a ReLU, as in a network: inputs ≥ 0 with a mean, the sums' hard case.
        let x = Tensor(shape: [n, size, size, c], values: random(n * size * size * c, &rng).map { max($0, 0) })
        _ = conv.forward(x)
        for i in 0..<arena.count { arena.grads[i] = 0 }
        let dy = Tensor(shape: [n, size, size, c], values: random(n * size * size * c, &rng))
        _ = conv.backward(dy)
        let g = ConvGeometry(channels: c, height: size, width: size, kernelH: 3, kernelW: 3, stride: 1, padding: 1)
        var dwRef = [Float](repeating: 0, count: c * c * 9)
        convolutionNaiveWeightGradient(x.data, dy.data, count: n, g, outChannels: c, into: &dwRef)
        let scale = dwRef.map { abs($0) }.max()!
        let error = (0..<dwRef.count).map { abs(arena.grads[conv.weightOffset + $0] - dwRef[$0]) }.max()! / scale
        XCTAssertLessThan(error, 3e-6, "dW \(kernels), \(n) images")
    } }

    /// A batch of no images (a rank's share of a batch smaller than the ranks) writes nothing
    /// and adds nothing to dW.
    func testAnEmptyBatchAddsNothing() {
        var rng = SeededGenerator(seed: 33)
        let arena = ParameterArena()
        let conv = Conv2D("we", 64, 64, kernel: 3, stride: 1, padding: 1, arena: arena, workspace: Workspace())
        arena.allocate()
        conv.initialize(&rng)
        let start = random(arena.count, &rng)
        for i in 0..<arena.count { arena.grads[i] = start[i] }
        let x = Tensor(shape: [0, 8, 8, 64])
        XCTAssertEqual(conv.forward(x).shape, [0, 8, 8, 64])
        XCTAssertEqual(conv.backward(Tensor(shape: [0, 8, 8, 64]))?.shape, [0, 8, 8, 64])
        XCTAssertEqual((0..<arena.count).map { arena.grads[$0] }, start)
    }

    /// Inference: the BatchNorm folded into the transformed weight and the bias, the residual and
    /// ReLU applied as each output tile is written; the fold follows a weight write and a new BatchNorm.
    func testInferenceFoldsTheBatchNormAndFollowsEveryChange() { forEachKernels { kernels in
        var rng = SeededGenerator(seed: 32)
        for t in cases where t.bias || t.c == 128 {
            let arena = ParameterArena()
            let conv = Conv2D("wi", t.c, t.oc, kernel: 3, stride: 1, padding: 1, bias: t.bias, arena: arena, workspace: Workspace())
            arena.allocate()
            conv.initialize(&rng)
            let x = Tensor(shape: [t.n, t.h, t.w, t.c], values: random(t.n * t.h * t.w * t.c, &rng))
            let g = ConvGeometry(channels: t.c, height: t.h, width: t.w, kernelH: 3, kernelW: 3, stride: 1, padding: 1)
            var scale = random(t.oc, &rng), shift = random(t.oc, &rng)
            for round in 0..<3 {
                if round == 1 {   // an optimizer step writes the weights
                    for i in 0..<arena.count { arena.grads[i] = rng.nextNormal() }
                    SGD(momentum: 0.9).step(arena, learningRate: { _ in 0.1 }, trainable: { _ in true })
                }
                if round == 2 { scale = random(t.oc, &rng); shift = random(t.oc, &rng) }   // only the BatchNorm changes
                var plain = [Float](repeating: 0, count: t.n * t.h * t.w * t.oc)
                convolutionNaive(x.data, count: t.n, g, weight: arena.values + conv.weightOffset, outChannels: t.oc, into: &plain)
                if let b = conv.biasOffset { for i in plain.indices { plain[i] += arena.values[b + i % t.oc] } }
                let residual = Tensor(shape: [t.n, t.h, t.w, t.oc], values: random(plain.count, &rng))
                for relu in [false, true] { for withResidual in [false, true] {
                    let e = ConvEpilogue(scale: scale, shift: shift, relu: relu, residual: withResidual ? residual : nil)
                    let folded = conv.forward(x, epilogue: e).toArray()
                    let expected = plain.indices.map { i -> Float in
                        let v = plain[i] * scale[i % t.oc] + shift[i % t.oc] + (withResidual ? residual[i] : 0)
                        return relu ? max(v, 0) : v
                    }
                    // 3e-4: F(4x4, 3x3) rounds more than a direct sum, and the scale (a standard
                    // normal here) multiplies that error; 256 input channels reach 1.3e-4.
                    XCTAssertLessThan(worst(folded, expected), 3e-4, "\(kernels) \(t) round \(round) relu \(relu) residual \(withResidual)")
                } }
            }
        }
    } }

    /// Layers outside the policy stay on oneDNN: strided, 1x1, channels not in sixteens or below
    /// 16, 512 channels, images under 7x7; the weight gradient below 32 channels.
    func testThePolicyKeepsOtherLayersOnOneDNN() {
        func shape(_ c: Int, _ oc: Int, _ size: Int, k: Int = 3, s: Int = 1) -> OneDNNConvolutionShape {
            OneDNNConvolutionShape(batch: 2, channels: c, height: size, width: size, outChannels: oc, kernel: k, stride: s, padding: k / 2, hasBias: false)
        }
        for s in [shape(64, 64, 32), shape(256, 256, 8), shape(80, 64, 8), shape(32, 32, 14), shape(64, 64, 7)] {
            XCTAssertEqual(WinogradConvolution(s)?.takesWeightGradient, true, "\(s)")
        }
        // 16 channels: forward and input gradient only.
        XCTAssertEqual(WinogradConvolution(shape(16, 16, 28))?.takesWeightGradient, false)
        for s in [shape(64, 128, 32, s: 2), shape(64, 128, 32, k: 1), shape(24, 24, 14), shape(8, 8, 28),
                  shape(512, 512, 4), shape(64, 64, 6)] {
            XCTAssertNil(WinogradConvolution(s), "\(s)")
        }
    }
}
