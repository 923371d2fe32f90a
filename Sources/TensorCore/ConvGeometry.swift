// Shapes: input x is NHWC [N, H, W, C]; a KH×KW window, stride S, padding P, output OH×OW.

/// The geometry of a 2-D convolution or pooling window over an NHWC tensor.
public struct ConvGeometry: Sendable, Equatable {
    public var channels: Int, height: Int, width: Int
    public var kernelH: Int, kernelW: Int, stride: Int, padding: Int

    public init(channels: Int, height: Int, width: Int, kernelH: Int, kernelW: Int, stride: Int, padding: Int) {
        self.channels = channels; self.height = height; self.width = width
        self.kernelH = kernelH; self.kernelW = kernelW; self.stride = stride; self.padding = padding
    }

    public var outHeight: Int { (height + 2 * padding - kernelH) / stride + 1 }
    public var outWidth: Int { (width + 2 * padding - kernelW) / stride + 1 }
    /// Inputs under one window: C*KH*KW.
    public var patchSize: Int { channels * kernelH * kernelW }
}
