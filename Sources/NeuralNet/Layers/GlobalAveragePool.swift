import TensorCore

// Shapes: x [N, H, W, C] → y [N, C]; dx[n, h, w, c] = dy[n, c] / (H·W).

/// Global average pooling (PyTorch's adaptive_avg_pool2d to 1×1, then flatten).
public final class GlobalAveragePool {
    public let output = Tensor(shape: [0])
    private let inputGrad = Tensor(shape: [0])
    private var inputShape: [Int] = []

    public init() {}

    public func forward(_ x: Tensor) -> Tensor {
        inputShape = x.shape
        let n = x.shape[0], hw = x.shape[1] * x.shape[2], c = x.shape[3]
        output.resize(to: [n, c])
        let src = x.data, dst = output.data
        Parallel.forChunks(count: n, chunkSize: 1) { _, range in
            for b in range {
                var acc = [Double](repeating: 0, count: c)
                for p in 0..<hw {
                    let row = src + (b * hw + p) * c
                    for j in 0..<c { acc[j] += Double(row[j]) }
                }
                for j in 0..<c { dst[b * c + j] = Float(acc[j] / Double(hw)) }
            }
        }
        return output
    }

    public func backward(_ dy: Tensor) -> Tensor {
        inputGrad.resize(to: inputShape)
        let n = inputShape[0], hw = inputShape[1] * inputShape[2], c = inputShape[3]
        let d = dy.data, dx = inputGrad.data, scale = 1 / Float(hw)
        forRowRanges(n * hw) { span in for r in span {
            let b = r / hw
            for j in 0..<c { dx[r * c + j] = d[b * c + j] * scale }
        } }
        return inputGrad
    }
}
