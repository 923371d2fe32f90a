import TensorCore

// Shapes: x [N, H, W, C] → y [N, OH, OW, C]. Padding counts as −∞. Ties go to the first
// maximum in (ky, kx) scan order, as PyTorch's CPU kernel; backward routes dy to that element.

/// Max pooling over square windows.
public final class MaxPool2D {
    public let kernel: Int, stride: Int, padding: Int
    public let output = Tensor(shape: [0])
    private let inputGrad = Tensor(shape: [0])
    private var argmax: [Int32] = []
    private var inputShape: [Int] = []

    public init(kernel: Int, stride: Int, padding: Int = 0) {
        self.kernel = kernel; self.stride = stride; self.padding = padding
    }

    public func forward(_ x: Tensor) -> Tensor {
        inputShape = x.shape
        let n = x.shape[0], h = x.shape[1], w = x.shape[2], c = x.shape[3]
        let g = ConvGeometry(channels: c, height: h, width: w, kernelH: kernel, kernelW: kernel, stride: stride, padding: padding)
        let oh = g.outHeight, ow = g.outWidth
        output.resize(to: [n, oh, ow, c])
        if argmax.count < output.count { argmax = [Int32](repeating: 0, count: output.count) }
        let src = x.data, dst = output.data, k = kernel, s = stride, p = padding
        argmax.withUnsafeMutableBufferPointer { am in
            let amp = am.baseAddress!
            forRowRanges(n * oh * ow) { span in for r in span {
                let b = r / (oh * ow), oy = (r / ow) % oh, ox = r % ow
                if c % 8 == 0 {
                    // Eight channels at a time, the same rule lane by lane.
                    let lanes = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
                    for ch in Swift.stride(from: 0, to: c, by: 8) {
                        var best = SIMD8<Float>(repeating: -.infinity), arg = SIMD8<Int32>(repeating: -1), started = false
                        for ky in 0..<k {
                            let iy = oy * s - p + ky
                            if iy < 0 || iy >= h { continue }
                            for kx in 0..<k {
                                let ix = ox * s - p + kx
                                if ix < 0 || ix >= w { continue }
                                let idx = ((b * h + iy) * w + ix) * c + ch
                                let v = UnsafeRawPointer(src + idx).loadUnaligned(as: SIMD8<Float>.self)
                                let at = SIMD8<Int32>(repeating: Int32(idx)) &+ lanes
                                if !started { best = v; arg = at; started = true; continue }
                                let take = (v .> best) .| (v .!= v)
                                best.replace(with: v, where: take)
                                arg.replace(with: at, where: take)
                            }
                        }
                        UnsafeMutableRawPointer(dst + r * c + ch).storeBytes(of: best, as: SIMD8<Float>.self)
                        UnsafeMutableRawPointer(amp + r * c + ch).storeBytes(of: arg, as: SIMD8<Int32>.self)
                    }
                    continue
                }
                for ch in 0..<c {
                    var best = -Float.infinity, where_ = -1
                    for ky in 0..<k {
                        let iy = oy * s - p + ky
                        if iy < 0 || iy >= h { continue }
                        for kx in 0..<k {
                            let ix = ox * s - p + kx
                            if ix < 0 || ix >= w { continue }
                            let idx = ((b * h + iy) * w + ix) * c + ch
                            let v = src[idx]
                            if v > best || v.isNaN || where_ < 0 { best = v; where_ = idx }
                        }
                    }
                    dst[r * c + ch] = best
                    amp[r * c + ch] = Int32(where_)
                }
            } }
        }
        return output
    }

    public func backward(_ dy: Tensor) -> Tensor {
        inputGrad.resize(to: inputShape)
        inputGrad.zero()
        let n = inputShape[0], perImageOut = dy.count / max(n, 1), d = dy.data, dx = inputGrad.data
        argmax.withUnsafeBufferPointer { am in
            // Parallel over images: an image's windows only reach that image's pixels.
            Parallel.forChunks(count: n, chunkSize: 1) { _, range in
                for b in range {
                    for i in (b * perImageOut)..<((b + 1) * perImageOut) { dx[Int(am[i])] += d[i] }
                }
            }
        }
        return inputGrad
    }
}
