import XCTest
import TensorCore
import NeuralNet

/// The direct convolution kernel (CKernels, AVX2 + FMA) against the naive convolution and
/// against the im2col + GEMM path of the same layer: forward, input gradient, weight gradient.
final class FastPathDirectConvolutionTests: XCTestCase {
    func random(_ n: Int, _ rng: inout SeededGenerator) -> [Float] { (0..<n).map { _ in rng.nextNormal() } }

    /// Output widths that leave every remainder of the kernel's 6-pixel blocks; strides 1 and 2;
    /// a grey stem (C = 1); 3x3 and 5x5 kernels; more input than output channels and the reverse.
    let geometries: [(c: Int, oc: Int, h: Int, w: Int, k: Int, s: Int, p: Int)] = [
        (1, 16, 9, 8, 3, 1, 1), (16, 16, 7, 13, 3, 1, 1), (16, 32, 9, 9, 3, 2, 1), (32, 16, 5, 11, 3, 1, 1),
        (16, 48, 6, 7, 5, 1, 2), (32, 32, 4, 4, 3, 1, 1), (16, 16, 5, 10, 3, 1, 0), (64, 64, 3, 5, 3, 1, 1),
    ]

    func layer(_ t: (c: Int, oc: Int, h: Int, w: Int, k: Int, s: Int, p: Int), direct: Bool, seed: UInt64) -> (Conv2D, ParameterArena) {
        let arena = ParameterArena()
        let conv = Conv2D("c", t.c, t.oc, kernel: t.k, stride: t.s, padding: t.p, arena: arena, workspace: Workspace())
        arena.allocate()
        var rng = SeededGenerator(seed: seed)
        conv.initialize(&rng)
        conv.allowsDirect = direct
        return (conv, arena)
    }

    func testTheKernelIsUsedWhereItShouldBe() throws {
        try XCTSkipUnless(DirectConvolution.isAvailable, "this CPU has no AVX2 + FMA: convolutions use im2col + GEMM")
        let (narrow, _) = layer((16, 16, 8, 8, 3, 1, 1), direct: true, seed: 1)
        XCTAssertTrue(narrow.usesDirect(forOutput: 16, from: 16))
        XCTAssertFalse(narrow.usesDirect(forOutput: 8, from: 16), "outputs not a multiple of 16")
        XCTAssertFalse(narrow.usesDirect(forOutput: 16, from: DirectConvolution.widest + 16), "wide layers stay on GEMM")
        let (pointwise, _) = layer((16, 16, 8, 8, 1, 1, 0), direct: true, seed: 1)
        XCTAssertFalse(pointwise.usesDirect(forOutput: 16, from: 16), "1x1 needs no im2col anyway")
        narrow.allowsDirect = false
        XCTAssertFalse(narrow.usesDirect(forOutput: 16, from: 16))
    }

    func testDirectMatchesNaiveAndGEMMPaths() throws {
        try XCTSkipUnless(DirectConvolution.isAvailable, "this CPU has no AVX2 + FMA: convolutions use im2col + GEMM")
        var rng = SeededGenerator(seed: 21)
        for t in geometries {
            let (fast, fastArena) = layer(t, direct: true, seed: 5)
            let (slow, slowArena) = layer(t, direct: false, seed: 5)
            XCTAssertTrue(fast.usesDirect(forOutput: t.oc, from: t.c), "\(t)")
            let n = 3
            let x = Tensor(shape: [n, t.h, t.w, t.c], values: random(n * t.h * t.w * t.c, &rng))
            let g = ConvGeometry(channels: t.c, height: t.h, width: t.w, kernelH: t.k, kernelW: t.k, stride: t.s, padding: t.p)
            let y = fast.forward(x).toArray()
            var reference = [Float](repeating: 0, count: y.count)
            convolutionNaive(x.data, count: n, g, weight: fastArena.values + fast.weightOffset, outChannels: t.oc, into: &reference)
            let worstY = zip(y, reference).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(worstY, 1e-4, "forward \(t)")
            XCTAssertEqual(slow.forward(x).toArray().count, y.count)

            let dy = Tensor(shape: [n, g.outHeight, g.outWidth, t.oc], values: random(n * g.outHeight * g.outWidth * t.oc, &rng))
            let dxFast = fast.backward(dy)!.toArray()
            let dxSlow = slow.backward(dy)!.toArray()
            let worstX = zip(dxFast, dxSlow).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(worstX, 1e-4, "dx \(t) (stride \(t.s): \(t.s == 1 ? "direct" : "GEMM") path)")
            let wCount = t.oc * t.c * t.k * t.k
            var worstW: Float = 0
            for i in 0..<wCount { worstW = max(worstW, abs(fastArena.grads[fast.weightOffset + i] - slowArena.grads[slow.weightOffset + i])) }
            XCTAssertLessThan(worstW, 1e-3, "dW \(t)")
        }
    }

    /// A residual gradient added where the mask is positive: fused into the direct kernel's
    /// store (stride 1) or a pass of its own (GEMM path, stride 2), the same sums either way.
    func testResidualGradientIsAddedWhereTheMaskIsPositive() throws {
        var rng = SeededGenerator(seed: 23)
        for t in [(c: 16, oc: 16, h: 7, w: 13, k: 3, s: 1, p: 1), (c: 32, oc: 16, h: 6, w: 6, k: 3, s: 2, p: 1)] {
            for direct in [true, false] {
                let (conv, _) = layer(t, direct: direct, seed: 9)
                let n = 2
                let x = Tensor(shape: [n, t.h, t.w, t.c], values: random(n * t.h * t.w * t.c, &rng))
                let y = conv.forward(x)
                let dy = Tensor(shape: y.shape, values: random(y.count, &rng))
                let plain = conv.backward(dy)!.toArray()
                let add = Tensor(shape: x.shape, values: random(x.count, &rng))
                let mask = Tensor(shape: x.shape, values: random(x.count, &rng))
                let fused = conv.backward(dy, into: Tensor(shape: [0]), addingResidual: add, where: mask).toArray()
                var worst: Float = 0
                for i in 0..<x.count {
                    let expected = plain[i] + (mask[i] > 0 ? add[i] : 0)
                    worst = max(worst, abs(fused[i] - expected))
                }
                XCTAssertLessThan(worst, 1e-5, "\(t) direct \(direct)")
                XCTAssertTrue((0..<x.count).contains { mask[$0] <= 0 } && (0..<x.count).contains { mask[$0] > 0 })
            }
        }
    }

    /// Two runs give the same bits: each output is one sum in a fixed order, whatever the split.
    func testDirectIsDeterministic() throws {
        try XCTSkipUnless(DirectConvolution.isAvailable, "this CPU has no AVX2 + FMA")
        var rng = SeededGenerator(seed: 22)
        let t = (c: 16, oc: 32, h: 14, w: 14, k: 3, s: 1, p: 1)
        let x = Tensor(shape: [8, 14, 14, 16], values: random(8 * 14 * 14 * 16, &rng))
        let dy = Tensor(shape: [8, 14, 14, 32], values: random(8 * 14 * 14 * 32, &rng))
        var outputs: [[Float]] = []
        for _ in 0..<2 {
            let (conv, _) = layer(t, direct: true, seed: 9)
            outputs.append(conv.forward(x).toArray() + conv.backward(dy)!.toArray())
        }
        XCTAssertEqual(outputs[0], outputs[1])
    }
}
