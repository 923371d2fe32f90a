import TensorCore

/// One convolution pass and the oneDNN implementation that runs it.
public struct ConvolutionImplementation: Sendable {
    public let layer: String, shape: String, pass: String, implementation: String
    /// oneDNN's reference kernels (`ref:…`) are its silent, slow fallback for descriptors its JIT
    /// kernels do not take.
    public var isReference: Bool { implementation.hasPrefix("ref:") }
}

extension ResNet {
    /// The implementation oneDNN picks for every pass of every convolution at this input size:
    /// a batch-1 forward finds each layer's input size, then each layer is asked at `batch`.
    /// Training passes (forward, input and weight gradients) and the folded inference forward.
    public func convolutionImplementations(batch: Int, height: Int, width: Int) -> [ConvolutionImplementation] {
        let probe = Tensor(shape: [1, height, width, config.inputChannels])
        _ = forward(probe, training: true)
        var out: [ConvolutionImplementation] = []
        for conv in convolutions {
            guard let s = conv.lastInputShape else { continue }
            let shape = conv.shape(for: [batch, s[1], s[2], s[3]])
            for (pass, impl) in conv.implementations(batch: batch, height: s[1], width: s[2]) {
                out.append(ConvolutionImplementation(layer: conv.name, shape: shape.description, pass: pass, implementation: impl))
            }
        }
        return out
    }
}
