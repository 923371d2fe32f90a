import XCTest
import TensorCore
import NeuralNet

/// The fast convolution paths (pixel-major im2col, repacked weights, folded BatchNorm) against
/// the plain references `convolutionNaive`, `im2col` and `col2imAccumulate`.
final class FastPathConvolutionTests: XCTestCase {
    func random(_ n: Int, _ rng: inout SeededGenerator) -> [Float] { (0..<n).map { _ in rng.nextNormal() } }

    let geometries: [(c: Int, oc: Int, h: Int, w: Int, k: Int, s: Int, p: Int)] = [
        (3, 5, 7, 6, 3, 1, 1), (4, 6, 9, 9, 3, 2, 1), (2, 3, 8, 7, 7, 2, 3), (5, 4, 5, 5, 1, 2, 0), (3, 2, 4, 4, 1, 1, 0),
        (2, 3, 3, 3, 5, 1, 2),   // a kernel wider than the image
        (4, 40, 3, 3, 3, 2, 1),  // few output pixels, many channels: PyTorch's column order
    ]

    func testPixelMajorIm2colIsThePermutedReference() {
        var rng = SeededGenerator(seed: 11)
        for t in geometries {
            let g = ConvGeometry(channels: t.c, height: t.h, width: t.w, kernelH: t.k, kernelW: t.k, stride: t.s, padding: t.p)
            let n = 2, rows = n * g.outHeight * g.outWidth, k = g.patchSize, taps = t.k * t.k
            let x = random(n * t.h * t.w * t.c, &rng)
            var reference = [Float](repeating: .nan, count: rows * k), fast = reference
            im2col(x, count: n, g, into: &reference)
            im2colPixelMajor(x, count: n, g, into: &fast)
            var mismatches = 0
            for r in 0..<rows { for ci in 0..<t.c { for tap in 0..<taps where fast[r * k + tap * t.c + ci] != reference[r * k + ci * taps + tap] { mismatches += 1 } } }
            XCTAssertEqual(mismatches, 0, "\(g)")
        }
    }

    func testPixelMajorCol2imIsThePermutedReference() {
        var rng = SeededGenerator(seed: 12)
        for t in geometries {
            let g = ConvGeometry(channels: t.c, height: t.h, width: t.w, kernelH: t.k, kernelW: t.k, stride: t.s, padding: t.p)
            let n = 3, rows = n * g.outHeight * g.outWidth, k = g.patchSize, taps = t.k * t.k
            let fastCols = random(rows * k, &rng)
            var referenceCols = fastCols
            for r in 0..<rows { for ci in 0..<t.c { for tap in 0..<taps { referenceCols[r * k + ci * taps + tap] = fastCols[r * k + tap * t.c + ci] } } }
            let start = random(n * t.h * t.w * t.c, &rng)
            var reference = start, fast = start
            col2imAccumulate(referenceCols, count: n, g, into: &reference)
            col2imAccumulatePixelMajor(fastCols, count: n, g, into: &fast)
            let worst = zip(fast, reference).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(worst, 1e-5, "\(g)")
        }
    }

    func testWeightRepackRoundTrips() {
        var rng = SeededGenerator(seed: 13)
        let (oc, c, k) = (4, 3, 3)
        let w = random(oc * c * k * k, &rng)
        var packed = [Float](repeating: 0, count: w.count), back = [Float](repeating: 0, count: w.count)
        repackWeightsPixelMajor(w, outChannels: oc, channels: c, kernelH: k, kernelW: k, into: &packed)
        XCTAssertEqual(packed[1 * c + 2], w[2 * k * k + 1], "tap 1 of channel 2")
        addWeightGradientsFromPixelMajor(packed, outChannels: oc, channels: c, kernelH: k, kernelW: k, into: &back)
        XCTAssertEqual(back, w)
    }

    func testBothColumnOrdersAreExercised() {
        let arena = ParameterArena()
        let wide = Conv2D("w", 4, 40, kernel: 3, stride: 2, padding: 1, arena: arena, workspace: Workspace())
        XCTAssertFalse(wide.usesPixelMajor(rows: 12))
        XCTAssertTrue(wide.usesPixelMajor(rows: 3 * 42 * 4))
    }

    /// Conv2D forward, and its backward against finite sums of the naive convolution's adjoint:
    /// dW[o,c,ky,kx] = Σ dy·x and dx by the adjoint identity <conv(x), dy> = <x, dx>.
    func testConv2DMatchesNaiveConvolution() {
        var rng = SeededGenerator(seed: 14)
        for t in geometries {
            for budget in [8 << 20, 40] {   // one chunk, and many chunks of images
                let arena = ParameterArena()
                let conv = Conv2D("c", t.c, t.oc, kernel: t.k, stride: t.s, padding: t.p, arena: arena, workspace: Workspace(budget: budget))
                arena.allocate()
                conv.initialize(&rng)
                let n = 3
                let x = Tensor(shape: [n, t.h, t.w, t.c], values: random(n * t.h * t.w * t.c, &rng))
                let g = ConvGeometry(channels: t.c, height: t.h, width: t.w, kernelH: t.k, kernelW: t.k, stride: t.s, padding: t.p)
                let y = conv.forward(x)
                var reference = [Float](repeating: 0, count: y.count)
                convolutionNaive(x.data, count: n, g, weight: arena.values + conv.weightOffset, outChannels: t.oc, into: &reference)
                XCTAssertLessThan(zip(y.toArray(), reference).map { abs($0 - $1) }.max()!, 1e-4, "forward \(t) budget \(budget)")

                let dy = Tensor(shape: y.shape, values: random(y.count, &rng))
                let dx = conv.backward(dy)!
                // dW by definition, one weight at a time: the derivative of <conv(x), dy> in w.
                let wCount = t.oc * t.c * t.k * t.k
                var worstW: Float = 0
                var basis = [Float](repeating: 0, count: wCount), out = [Float](repeating: 0, count: y.count)
                for i in 0..<wCount {
                    basis[i] = 1
                    convolutionNaive(x.data, count: n, g, weight: basis, outChannels: t.oc, into: &out)
                    basis[i] = 0
                    let expected = zip(out, dy.toArray()).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                    worstW = max(worstW, abs(arena.grads[conv.weightOffset + i] - Float(expected)))
                }
                XCTAssertLessThan(worstW, 1e-3, "dW \(t) budget \(budget)")
                // dx through the adjoint identity with the naive convolution.
                let lhs = zip(y.toArray(), dy.toArray()).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                let rhs = zip(x.toArray(), dx.toArray()).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                XCTAssertEqual(lhs, rhs, accuracy: 1e-3 * max(1, abs(lhs)), "dx \(t) budget \(budget)")
            }
        }
    }

    func testFoldedEpilogueMatchesConvolutionThenAffineReLU() {
        var rng = SeededGenerator(seed: 15)
        for t in geometries {
            let arena = ParameterArena()
            let conv = Conv2D("c", t.c, t.oc, kernel: t.k, stride: t.s, padding: t.p, bias: true, arena: arena, workspace: Workspace())
            arena.allocate()
            conv.initialize(&rng)
            for o in 0..<t.oc { arena.values[conv.biasOffset! + o] = rng.nextNormal() }
            let x = Tensor(shape: [2, t.h, t.w, t.c], values: random(2 * t.h * t.w * t.c, &rng))
            let plain = conv.forward(x).toArray()
            let scale = random(t.oc, &rng), shift = random(t.oc, &rng)
            for relu in [false, true] {
                let folded = conv.forward(x, epilogue: ConvEpilogue(scale: scale, shift: shift, relu: relu)).toArray()
                var worst: Float = 0
                for (i, v) in plain.enumerated() {
                    var e = v * scale[i % t.oc] + shift[i % t.oc]
                    if relu { e = max(e, 0) }
                    worst = max(worst, abs(folded[i] - e))
                }
                XCTAssertLessThan(worst, 1e-4, "\(t) relu \(relu)")
            }
        }
    }
}
