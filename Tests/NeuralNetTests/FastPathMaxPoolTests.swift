import XCTest
import TensorCore
import NeuralNet
import LoupeBase

/// The SIMD max-pool path (channels a multiple of 8) against the scalar path, run one channel
/// at a time: same maxima, same tie and NaN rule, same gradient routing.
final class FastPathMaxPoolTests: XCTestCase {
    func testEightChannelPathMatchesChannelByChannel() {
        var rng = SeededGenerator(seed: 21)
        let (n, h, w, c) = (2, 7, 6, 16)
        let x = Tensor(shape: [n, h, w, c])
        for i in 0..<x.count { x[i] = Float(Int(rng.nextNormal() * 2)) }   // many ties
        x[5 * c + 3] = .nan
        let pool = MaxPool2D(kernel: 3, stride: 2, padding: 1)
        let y = pool.forward(x).toArray()
        let dy = Tensor(shape: pool.output.shape)
        for i in 0..<dy.count { dy[i] = rng.nextNormal() }
        let dx = pool.backward(dy).toArray()
        for ch in 0..<c {
            let xs = Tensor(shape: [n, h, w, 1]), single = MaxPool2D(kernel: 3, stride: 2, padding: 1)
            for i in 0..<(n * h * w) { xs[i] = x[i * c + ch] }
            let ys = single.forward(xs).toArray()
            let dys = Tensor(shape: single.output.shape)
            for i in 0..<dys.count { dys[i] = dy[i * c + ch] }
            let dxs = single.backward(dys).toArray()
            for i in 0..<ys.count {
                XCTAssertTrue(ys[i] == y[i * c + ch] || (ys[i].isNaN && y[i * c + ch].isNaN), "y channel \(ch) at \(i)")
            }
            for i in 0..<dxs.count { XCTAssertEqual(dxs[i], dx[i * c + ch], "dx channel \(ch) at \(i)") }
        }
    }
}
