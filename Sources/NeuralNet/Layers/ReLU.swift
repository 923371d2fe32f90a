import TensorCore

// Shapes: any; y = max(x, 0), dx = dy where y > 0 (PyTorch's rule: the gradient at 0 is 0).

/// Rectified linear unit.
public final class ReLU {
    public let output = Tensor(shape: [0])
    private let inputGrad = Tensor(shape: [0])

    public init() {}

    public func forward(_ x: Tensor) -> Tensor {
        output.resize(to: x.shape)
        let src = x.data, dst = output.data
        forRanges(x.count) { span in for i in span { dst[i] = max(src[i], 0) } }
        return output
    }

    public func backward(_ dy: Tensor) -> Tensor {
        inputGrad.resize(to: dy.shape)
        let y = output.data, d = dy.data, dx = inputGrad.data
        forRanges(dy.count) { span in for i in span { dx[i] = y[i] > 0 ? d[i] : 0 } }
        return inputGrad
    }
}

/// The end of a residual block: y = relu(a + b); the same gradient flows to both branches.
public final class ResidualAddReLU {
    public let output = Tensor(shape: [0])
    private let inputGrad = Tensor(shape: [0])

    public init() {}

    public func forward(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.shape == b.shape, "residual shapes differ: \(a.shape) vs \(b.shape)")
        output.resize(to: a.shape)
        let pa = a.data, pb = b.data, y = output.data
        forRanges(a.count) { span in for i in span { y[i] = max(pa[i] + pb[i], 0) } }
        return output
    }

    /// The gradient for both summands.
    public func backward(_ dy: Tensor) -> Tensor {
        inputGrad.resize(to: dy.shape)
        let y = output.data, d = dy.data, dx = inputGrad.data
        forRanges(dy.count) { span in for i in span { dx[i] = y[i] > 0 ? d[i] : 0 } }
        return inputGrad
    }
}
