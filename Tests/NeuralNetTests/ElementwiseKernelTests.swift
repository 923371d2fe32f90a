import XCTest
import TensorCore
@testable import NeuralNet
import LoupeBase

/// The sixteen-lane loops (BatchNorm's forward at widths in sixteens, the masked residual add)
/// give the same bits as the plain expressions they replace, including -0, NaN and a last
/// partial group of lanes.
final class ElementwiseKernelTests: XCTestCase {
    func values(_ n: Int, _ rng: inout SeededGenerator) -> [Float] {
        (0..<n).map { i in i % 97 == 5 ? -0.0 : i % 89 == 3 ? .nan : rng.nextNormal() }
    }

    func same(_ a: [Float], _ b: [Float], _ what: String) {
        XCTAssertEqual(a.count, b.count)
        let differ = a.indices.first { a[$0].bitPattern != b[$0].bitPattern }
        XCTAssertNil(differ, "\(what): first difference at \(differ ?? -1)")
    }

    func testAffineAtWidthsInSixteensMatchesThePlainExpressions() {
        var rng = SeededGenerator(seed: 3)
        for c in [16, 48, 64, 24, 5] {
            let rows = 301
            let x = values(rows * c, &rng), res = values(rows * c, &rng)
            let g = values(c, &rng), b = values(c, &rng)
            for (useResidual, relu) in [(false, false), (false, true), (true, false), (true, true)] {
                var y = [Float](repeating: 7, count: x.count)
                NormKernels.affine(x, scale: g, shift: b, residual: useResidual ? res : nil, relu: relu,
                                   rows: rows, channels: c, into: &y)
                var yr = y
                for i in 0..<x.count {
                    let j = i % c
                    var v = x[i] * g[j] + b[j]
                    if useResidual { v += res[i] }
                    yr[i] = relu ? (v <= 0 ? 0 : v) : v
                }
                same(y, yr, "y at C=\(c), residual \(useResidual), relu \(relu)")
            }
        }
    }

    /// The one-read statistics against the two-pass reference: the same mean bit for bit, the
    /// variance to Double rounding of Float partial sums, and the same bits on a second call.
    func testOnePassStatisticsMatchTheTwoPassReference() {
        var rng = SeededGenerator(seed: 5)
        for (rows, c) in [(1, 16), (63, 16), (64, 8), (65, 24), (6272, 64), (100_352, 16), (301, 5)] {
            // An offset far from zero, as after a ReLU or with a large bias, is where a naive
            // Σx² − (Σx)²/n would lose the variance.
            let x = (0..<(rows * c)).map { i in 3 + Float(i % c) + rng.nextNormal() * 0.5 }
            let fast = NormKernels.statistics(x, rows: rows, channels: c)
            let again = NormKernels.statistics(x, rows: rows, channels: c)
            let ref = NormKernels.statisticsTwoPass(x, rows: rows, channels: c)
            XCTAssertEqual(fast.mean.map(\.bitPattern), ref.mean.map(\.bitPattern), "mean rows \(rows) C \(c)")
            XCTAssertEqual(fast.variance.map(\.bitPattern), again.variance.map(\.bitPattern), "rerun rows \(rows) C \(c)")
            for j in 0..<c {
                XCTAssertEqual(fast.variance[j], ref.variance[j], accuracy: 1e-5 * ref.variance[j] + 1e-9,
                               "variance rows \(rows) C \(c) channel \(j)")
            }
        }
    }

    /// Data-parallel statistics: two ranks holding images 0..<2 and 2..<5 of a batch get the
    /// whole batch's mean bit for bit and its variance to Double rounding, because no Float chunk
    /// crosses an image (`RowChunks`). The ranks' sums are played in turn here: rank B's Σx and
    /// its M2 around the global mean first, then rank A's whole call with both added.
    func testImageGroupsOnRanksGetTheWholeBatchsStatistics() {
        var rng = SeededGenerator(seed: 6)
        for (size, c) in [(7, 64), (28, 16), (14, 5), (3, 8)] {
            let image = size * size, images = 5
            let x = (0..<(images * image * c)).map { i in 2 + Float(i % c) + rng.nextNormal() * 0.5 }
            let whole = NormKernels.statistics(x, rows: images * image, channels: c, segment: image)
            let a = Array(x[0..<(2 * image * c)]), b = Array(x[(2 * image * c)...])
            let sumA = NormKernels.columnSums(a, rows: 2 * image, channels: c, segment: image) + [Double(2 * image)]
            var call = 0, m2B: [Double] = []
            _ = NormKernels.statistics(b, rows: 3 * image, channels: c, segment: image) { v in
                call += 1
                if call == 1 { v = zip(v, sumA).map { $0 + $1 } } else { m2B = v }
            }
            let sumB = NormKernels.columnSums(b, rows: 3 * image, channels: c, segment: image) + [Double(3 * image)]
            call = 0
            let ranks = NormKernels.statistics(a, rows: 2 * image, channels: c, segment: image) { v in
                call += 1
                v = zip(v, call == 1 ? sumB : m2B).map { $0 + $1 }
            }
            XCTAssertEqual(ranks.rows, whole.rows)
            XCTAssertEqual(ranks.mean.map(\.bitPattern), whole.mean.map(\.bitPattern), "mean \(size)x\(size) C \(c)")
            for j in 0..<c {
                XCTAssertEqual(ranks.variance[j], whole.variance[j], accuracy: 1e-12 * whole.variance[j], "variance \(size)x\(size) C \(c) channel \(j)")
            }
            // Without the cut at images (64-row chunks over the whole batch) the Float partial sums
            // differ: the check above can fail.
            let uncut = NormKernels.columnSums(x, rows: images * image, channels: c)
            let cut = NormKernels.columnSums(x, rows: images * image, channels: c, segment: image)
            if image % 64 != 0 { XCTAssertNotEqual(uncut, cut, "\(size)x\(size) C \(c): 64-row chunks cross images") }
        }
    }

    func testMaskedAddMatchesThePlainExpression() {
        var rng = SeededGenerator(seed: 4)
        for n in [1, 15, 16, 17, 4099, 70_001] {
            let a0 = values(n, &rng), d = values(n, &rng), m = values(n, &rng)
            var a = a0
            maskedAdd(d, where: m, into: &a, count: n)
            var r = a0
            for i in 0..<n { r[i] += m[i] > 0 ? d[i] : 0 }
            same(a, r, "maskedAdd n=\(n)")
        }
    }
}
