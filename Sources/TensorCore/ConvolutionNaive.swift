// Shapes: x [N, H, W, C] (NHWC), weight [OC, C, KH, KW] (PyTorch's layout), y [N, OH, OW, OC].

/// Direct convolution by its definition, summing in Double: the reference that the oneDNN
/// path is tested against. Slow by design.
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

/// The input gradient by its definition: dx[n, iy, ix, c] = Σ dy[n, oy, ox, o] · w[o, c, ky, kx]
/// over the outputs whose window covers (iy, ix), summed in Double. Overwrites `dx`.
public func convolutionNaiveInputGradient(_ dy: UnsafePointer<Float>, count: Int, _ g: ConvGeometry,
                                          weight: UnsafePointer<Float>, outChannels: Int,
                                          into dx: UnsafeMutablePointer<Float>) {
    let oh = g.outHeight, ow = g.outWidth, c = g.channels
    var sums = [Double](repeating: 0, count: count * g.height * g.width * c)
    for n in 0..<count { for oy in 0..<oh { for ox in 0..<ow { for o in 0..<outChannels {
        let d = Double(dy[((n * oh + oy) * ow + ox) * outChannels + o])
        for ci in 0..<c { for ky in 0..<g.kernelH { for kx in 0..<g.kernelW {
            let iy = oy * g.stride - g.padding + ky, ix = ox * g.stride - g.padding + kx
            guard iy >= 0, iy < g.height, ix >= 0, ix < g.width else { continue }
            sums[((n * g.height + iy) * g.width + ix) * c + ci] += d * Double(weight[((o * c + ci) * g.kernelH + ky) * g.kernelW + kx])
        } } }
    } } } }
    for i in sums.indices { dx[i] = Float(sums[i]) }
}

/// The weight gradient by its definition: dw[o, c, ky, kx] = Σ over n, oy, ox of
/// dy[n, oy, ox, o] · x[n, iy, ix, c], summed in Double. Overwrites `dw` ([OC, C, KH, KW]).
public func convolutionNaiveWeightGradient(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, count: Int, _ g: ConvGeometry,
                                           outChannels: Int, into dw: UnsafeMutablePointer<Float>) {
    let oh = g.outHeight, ow = g.outWidth, c = g.channels
    for o in 0..<outChannels { for ci in 0..<c { for ky in 0..<g.kernelH { for kx in 0..<g.kernelW {
        var sum: Double = 0
        for n in 0..<count { for oy in 0..<oh { for ox in 0..<ow {
            let iy = oy * g.stride - g.padding + ky, ix = ox * g.stride - g.padding + kx
            guard iy >= 0, iy < g.height, ix >= 0, ix < g.width else { continue }
            sum += Double(dy[((n * oh + oy) * ow + ox) * outChannels + o]) * Double(x[((n * g.height + iy) * g.width + ix) * c + ci])
        } } }
        dw[((o * c + ci) * g.kernelH + ky) * g.kernelW + kx] = Float(sum)
    } } } }
}
