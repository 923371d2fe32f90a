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
