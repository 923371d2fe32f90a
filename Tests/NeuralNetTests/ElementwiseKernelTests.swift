import XCTest
import TensorCore
@testable import NeuralNet

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

    func testNormalizeInPlaceAtWidthsInSixteensMatchesThePlainExpressions() {
        var rng = SeededGenerator(seed: 3)
        for c in [16, 48, 64] {
            let rows = 301
            let x0 = values(rows * c, &rng), res = values(rows * c, &rng)
            let mean = values(c, &rng), inv = values(c, &rng).map(abs), g = values(c, &rng), b = values(c, &rng)
            for (useResidual, relu) in [(false, false), (false, true), (true, false), (true, true)] {
                var x = x0, y = [Float](repeating: 7, count: x0.count)
                NormKernels.normalizeInPlace(&x, mean: mean, invstd: inv, scale: g, shift: b,
                                             residual: useResidual ? res : nil, relu: relu, rows: rows, channels: c, into: &y)
                var xr = x0, yr = y
                for i in 0..<x0.count {
                    let j = i % c, xv = x0[i]
                    xr[i] = (xv - mean[j]) * inv[j]
                    var v = xv * g[j] + b[j]
                    if useResidual { v += res[i] }
                    yr[i] = relu ? (v <= 0 ? 0 : v) : v
                }
                same(x, xr, "x̂ at C=\(c), residual \(useResidual), relu \(relu)")
                same(y, yr, "y at C=\(c), residual \(useResidual), relu \(relu)")
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
