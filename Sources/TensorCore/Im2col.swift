// Shapes: input x is NHWC [N, H, W, C]; a convolution has a KH×KW kernel, stride S,
// padding P, output OH×OW. The column matrix of one image is [OH*OW, K] with
// K = C*KH*KW ordered (c, kh, kw): the same order as PyTorch's weight [OC, C, KH, KW],
// so the weight is used as a [OC, K] matrix without any reordering.

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
    /// Length of one column-matrix row: C*KH*KW.
    public var patchSize: Int { channels * kernelH * kernelW }
    /// A 1x1, stride-1, unpadded convolution reads the input as its own column matrix.
    public var isPointwise: Bool { kernelH == 1 && kernelW == 1 && stride == 1 && padding == 0 }
}

/// Copies image patches of `count` images starting at `x` (NHWC) into `cols` [count*OH*OW, K].
public func im2col(_ x: UnsafePointer<Float>, count: Int, _ g: ConvGeometry, into cols: UnsafeMutablePointer<Float>) {
    let oh = g.outHeight, ow = g.outWidth, k = g.patchSize
    let kh = g.kernelH, kw = g.kernelW, c = g.channels
    let rows = count * oh * ow
    Parallel.forChunks(count: rows, chunkSize: 256) { _, range in
        for r in range {
            let n = r / (oh * ow), p = r % (oh * ow), oy = p / ow, ox = p % ow
            let row = cols + r * k
            let image = x + n * g.height * g.width * c
            for ky in 0..<kh {
                let iy = oy * g.stride - g.padding + ky
                for kx in 0..<kw {
                    let ix = ox * g.stride - g.padding + kx
                    let dst = row + ky * kw + kx     // column (ci, ky, kx) = ci*KH*KW + ky*KW + kx
                    if iy < 0 || iy >= g.height || ix < 0 || ix >= g.width {
                        for ci in 0..<c { dst[ci * kh * kw] = 0 }
                    } else {
                        let src = image + (iy * g.width + ix) * c
                        for ci in 0..<c { dst[ci * kh * kw] = src[ci] }
                    }
                }
            }
        }
    }
}

/// Adds the column gradients `cols` [count*OH*OW, K] back into `dx` (NHWC), the adjoint of `im2col`.
/// Parallel over images: each image's patches only touch that image's pixels.
public func col2imAccumulate(_ cols: UnsafePointer<Float>, count: Int, _ g: ConvGeometry, into dx: UnsafeMutablePointer<Float>) {
    let oh = g.outHeight, ow = g.outWidth, k = g.patchSize
    let kh = g.kernelH, kw = g.kernelW, c = g.channels
    Parallel.forChunks(count: count, chunkSize: 1) { _, range in
        for n in range {
            let image = dx + n * g.height * g.width * c
            for p in 0..<(oh * ow) {
                let oy = p / ow, ox = p % ow
                let row = cols + (n * oh * ow + p) * k
                for ky in 0..<kh {
                    let iy = oy * g.stride - g.padding + ky
                    if iy < 0 || iy >= g.height { continue }
                    for kx in 0..<kw {
                        let ix = ox * g.stride - g.padding + kx
                        if ix < 0 || ix >= g.width { continue }
                        let src = row + ky * kw + kx
                        let dst = image + (iy * g.width + ix) * c
                        for ci in 0..<c { dst[ci] += src[ci * kh * kw] }
                    }
                }
            }
        }
    }
}
