import CKernels

// Shapes: x [N, H, W, C] (NHWC), weight [OC, C, KH, KW] (PyTorch's layout), y [N, OH, OW, OC];
// xp [N, H+2P, W+2P, C] the input with its zero padding written out.
//
// A direct convolution for narrow layers: no column matrix and no BLAS packing. The input is
// copied once into a zero-padded buffer (a ninth of what im2col writes for a 3x3 kernel), the
// weight is packed into blocks of 16 output channels, and an AVX2 + FMA kernel (CKernels)
// accumulates R pixels x 16 channels in registers. The backward pass for the input of a
// stride-1 convolution is the same operation on the padded output gradient with the kernel
// flipped and its channel axes swapped (see `packWeightsDirectForInputGradient`).

public enum DirectConvolution {
    /// Whether this CPU runs the kernel (AVX2 and FMA). Elsewhere convolutions use im2col + GEMM.
    /// `LOUPE_DIRECT_CONV=0` turns the kernel off, for side-by-side measurements.
    public static let isAvailable: Bool = {
        if let v = getenv("LOUPE_DIRECT_CONV").map({ String(cString: $0) }), v == "0" { return false }
        return loupe_cpu_has_avx2_fma() != 0
    }()

    /// Output channels per register block of the kernel; OC must be a multiple of it.
    public static let channelBlock = 16

    /// Widest layer (input or output channels) that layers hand to the kernel: beyond it the
    /// GEMM is compute-bound and OpenBLAS's blocking wins (measured in BENCHMARKS.md).
    /// `LOUPE_DIRECT_WIDEST=N` changes it, for measurements.
    public static let widest: Int = {
        if let v = getenv("LOUPE_DIRECT_WIDEST").flatMap({ Int(String(cString: $0)) }) { return v }
        return 64
    }()

    /// Runs the kernel: `y` [count, OH, OW, OC] from the padded input `xp` [count, HP, WP, C]
    /// and a weight packed by `packWeightsDirect`; with `add` (y's shape), `y = conv + add`
    /// where `mask` > 0 (everywhere without a mask). Split across cores by output rows; each
    /// output is one sum in a fixed order, so the result does not depend on the split.
    public static func convolve(padded xp: UnsafePointer<Float>, count: Int, paddedHeight hp: Int, paddedWidth wp: Int,
                                channels c: Int, packedWeight: UnsafePointer<Float>, kernelH kh: Int, kernelW kw: Int,
                                outChannels oc: Int, stride: Int, outHeight oh: Int, outWidth ow: Int,
                                into y: UnsafeMutablePointer<Float>, adding add: UnsafePointer<Float>? = nil,
                                where mask: UnsafePointer<Float>? = nil) {
        precondition(oc % channelBlock == 0, "direct convolution: \(oc) output channels is not a multiple of \(channelBlock)")
        precondition((oh - 1) * stride + kh <= hp && (ow - 1) * stride + kw <= wp, "direct convolution: window leaves the padded input")
        let rows = count * oh
        // About 2 * cores chunks; a chunk is at least a few rows so a hand-off pays.
        let chunk = max(2, (rows + 2 * Parallel.cores - 1) / (2 * Parallel.cores))
        Parallel.forChunks(count: rows, chunkSize: chunk) { _, range in
            loupe_conv_direct_avx2(xp, Int32(hp), Int32(wp), Int32(c), packedWeight, Int32(kh), Int32(kw), Int32(oc),
                                   Int32(stride), y, Int32(oh), Int32(ow), Int32(range.lowerBound), Int32(range.upperBound), add, mask)
        }
    }

    /// Chunks of output rows for the weight gradient: a fixed number for a given problem size
    /// (never the core count), each with its own partial sum, added in chunk order.
    public static let weightGradientChunks = 8

    /// Floats of scratch `weightGradient` needs for `rows` = count * OH output rows.
    public static func weightGradientScratch(rows: Int, outChannels oc: Int, patchSize k: Int) -> Int {
        Parallel.chunkCount(count: rows, chunkSize: weightGradientChunkSize(rows)) * oc * k
    }

    static func weightGradientChunkSize(_ rows: Int) -> Int { max(1, (rows + weightGradientChunks - 1) / weightGradientChunks) }

    /// Adds the weight gradient of the convolution into `dw` [OC, C, KH, KW] (PyTorch's order)
    /// from the padded input `xp` [count, HP, WP, C] and `dy` [count, OH, OW, OC], using
    /// `scratch` (`weightGradientScratch` floats) for the per-chunk partial sums.
    public static func weightGradient(padded xp: UnsafePointer<Float>, count: Int, paddedHeight hp: Int, paddedWidth wp: Int,
                                      channels c: Int, outputGradient dy: UnsafePointer<Float>, kernelH kh: Int, kernelW kw: Int,
                                      outChannels oc: Int, stride: Int, outHeight oh: Int, outWidth ow: Int,
                                      scratch: UnsafeMutablePointer<Float>, into dw: UnsafeMutablePointer<Float>) {
        precondition(oc % channelBlock == 0, "direct weight gradient: \(oc) output channels is not a multiple of \(channelBlock)")
        let rows = count * oh, size = oc * c * kh * kw
        let chunkSize = weightGradientChunkSize(rows)
        let chunks = Parallel.chunkCount(count: rows, chunkSize: chunkSize)
        Parallel.forChunks(count: rows, chunkSize: chunkSize) { chunk, range in
            let partial = scratch + chunk * size
            partial.update(repeating: 0, count: size)
            loupe_conv_weight_grad_avx2(xp, Int32(hp), Int32(wp), Int32(c), dy, Int32(kh), Int32(kw), Int32(oc), Int32(stride),
                                        Int32(oh), Int32(ow), Int32(range.lowerBound), Int32(range.upperBound), partial)
        }
        for chunk in 1..<max(chunks, 1) {
            let partial = scratch + chunk * size
            for i in 0..<size { scratch[i] += partial[i] }
        }
        // Packed [OC/16, KH, KW, C, 16] back to [OC, C, KH, KW].
        let b = channelBlock
        for o in 0..<oc { for ci in 0..<c { for ky in 0..<kh { for kx in 0..<kw {
            dw[((o * c + ci) * kh + ky) * kw + kx] += scratch[((((o / b) * kh + ky) * kw + kx) * c + ci) * b + o % b]
        } } } }
    }
}

/// Copies `count` NHWC images [count, H, W, C] into `xp` [count, H+2P, W+2P, C] with zero borders.
public func padImages(_ x: UnsafePointer<Float>, count: Int, height h: Int, width w: Int, channels c: Int,
                      padding p: Int, into xp: UnsafeMutablePointer<Float>) {
    let hp = h + 2 * p, wp = w + 2 * p
    Parallel.forChunks(count: count * hp, chunkSize: max(1, hp / 2)) { _, range in
        for row in range {
            let n = row / hp, py = row % hp
            let dst = xp + row * wp * c
            let iy = py - p
            if iy < 0 || iy >= h { dst.update(repeating: 0, count: wp * c); continue }
            dst.update(repeating: 0, count: p * c)
            dst.advanced(by: p * c).update(from: x + ((n * h + iy) * w) * c, count: w * c)
            dst.advanced(by: (p + w) * c).update(repeating: 0, count: p * c)
        }
    }
}

/// Packs a weight [OC, C, KH, KW] into [OC/16, KH, KW, C, 16] for `DirectConvolution.convolve`.
public func packWeightsDirect(_ weight: UnsafePointer<Float>, outChannels oc: Int, channels c: Int,
                              kernelH kh: Int, kernelW kw: Int, into packed: UnsafeMutablePointer<Float>) {
    let b = DirectConvolution.channelBlock
    for o in 0..<oc { for ci in 0..<c { for ky in 0..<kh { for kx in 0..<kw {
        let block = o / b, lane = o % b
        packed[(((block * kh + ky) * kw + kx) * c + ci) * b + lane] = weight[((o * c + ci) * kh + ky) * kw + kx]
    } } } }
}

/// Packs the weight of a stride-1 convolution for its input gradient, itself a direct
/// convolution of the output gradient padded by KH-1-P (KW-1-P):
///   dx[n, iy, ix, c] = sum over (ky', kx', o) of dyp[n, iy+ky', ix+kx', o] * W[o, c, KH-1-ky', KW-1-kx']
/// so the packed weight is [C/16, KH, KW, OC, 16] of the flipped kernel with channels swapped.
public func packWeightsDirectForInputGradient(_ weight: UnsafePointer<Float>, outChannels oc: Int, channels c: Int,
                                              kernelH kh: Int, kernelW kw: Int, into packed: UnsafeMutablePointer<Float>) {
    let b = DirectConvolution.channelBlock
    for o in 0..<oc { for ci in 0..<c { for ky in 0..<kh { for kx in 0..<kw {
        let block = ci / b, lane = ci % b
        let fy = kh - 1 - ky, fx = kw - 1 - kx
        packed[(((block * kh + fy) * kw + fx) * oc + o) * b + lane] = weight[((o * c + ci) * kh + ky) * kw + kx]
    } } } }
}

#if canImport(Glibc)
import Glibc
#endif
