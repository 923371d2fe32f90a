// Shapes: x [N, H, W, C] (NHWC), weight [OC, C, KH, KW] (PyTorch's layout), y [N, OH, OW, OC].

/// Direct convolution by its definition, summing in Double: the reference that the im2col +
/// GEMM paths are tested against. Slow by design.
public func convolutionNaive(_ x: UnsafePointer<Float>, count: Int, _ g: ConvGeometry,
                             weight: UnsafePointer<Float>, outChannels: Int,
                             into y: UnsafeMutablePointer<Float>) {
    let oh = g.outHeight, ow = g.outWidth, c = g.channels
    for n in 0..<count { for oy in 0..<oh { for ox in 0..<ow { for o in 0..<outChannels {
        var sum: Double = 0
        for ci in 0..<c { for ky in 0..<g.kernelH { for kx in 0..<g.kernelW {
            let iy = oy * g.stride - g.padding + ky, ix = ox * g.stride - g.padding + kx
            guard iy >= 0, iy < g.height, ix >= 0, ix < g.width else { continue }
            let xv = x[((n * g.height + iy) * g.width + ix) * c + ci]
            let wv = weight[((o * c + ci) * g.kernelH + ky) * g.kernelW + kx]
            sum += Double(xv) * Double(wv)
        } } }
        y[((n * oh + oy) * ow + ox) * outChannels + o] = Float(sum)
    } } } }
}
