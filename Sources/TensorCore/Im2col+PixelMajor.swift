// Shapes as in Im2col.swift, but the column order inside a row is (ky, kx, c): "pixel major".
// For one output pixel and one kernel row ky, the KW input pixels it reads are adjacent in an
// NHWC image, so the KW·C values are one contiguous run in the input and in the column row:
// im2col becomes a memcpy per (row, ky) and col2im a contiguous vector add. The weight must
// then be used as [OC, KH, KW, C]; `repackWeightsPixelMajor` makes that copy from PyTorch's
// [OC, C, KH, KW], and `addWeightGradientsFromPixelMajor` maps a gradient back.

/// Copies image patches of `count` NHWC images into `cols` [count*OH*OW, KH*KW*C], order (ky, kx, c).
public func im2colPixelMajor(_ x: UnsafePointer<Float>, count: Int, _ g: ConvGeometry,
                             into cols: UnsafeMutablePointer<Float>) {
    let oh = g.outHeight, ow = g.outWidth, k = g.patchSize
    let kh = g.kernelH, kw = g.kernelW, c = g.channels, h = g.height, w = g.width
    let run = kw * c
    Parallel.forChunks(count: count * oh, chunkSize: max(1, 64 / max(ow, 1))) { _, range in
        for imageRow in range {
            let n = imageRow / oh, oy = imageRow % oh
            let image = x + n * h * w * c
            for ox in 0..<ow {
                let row = cols + (imageRow * ow + ox) * k
                let ix0 = ox * g.stride - g.padding
                // The part of the KW-wide window that lies inside the image.
                let first = max(0, -ix0), last = min(kw, w - ix0)
                for ky in 0..<kh {
                    let iy = oy * g.stride - g.padding + ky
                    let dst = row + ky * run
                    if iy < 0 || iy >= h || first >= last {
                        dst.update(repeating: 0, count: run)
                        continue
                    }
                    if first > 0 { dst.update(repeating: 0, count: first * c) }
                    copyRun(from: image + (iy * w + ix0 + first) * c, to: dst + first * c, count: (last - first) * c)
                    if last < kw { dst.advanced(by: last * c).update(repeating: 0, count: (kw - last) * c) }
                }
            }
        }
    }
}

/// memcpy, except that short runs (a few channels, e.g. an RGB or grey stem) are copied inline:
/// a library call per 3 floats costs more than the copy.
@inline(__always)
private func copyRun(from src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, count: Int) {
    if count >= 64 { dst.update(from: src, count: count); return }
    for i in 0..<count { dst[i] = src[i] }
}

/// Adds column gradients `cols` [count*OH*OW, KH*KW*C] (order (ky, kx, c)) into `dx` (NHWC):
/// the adjoint of `im2colPixelMajor`. Parallel over images, each touching only its own pixels;
/// within an image the additions happen in a fixed order, so results are deterministic.
public func col2imAccumulatePixelMajor(_ cols: UnsafePointer<Float>, count: Int, _ g: ConvGeometry,
                                       into dx: UnsafeMutablePointer<Float>) {
    let oh = g.outHeight, ow = g.outWidth, k = g.patchSize
    let kh = g.kernelH, kw = g.kernelW, c = g.channels, h = g.height, w = g.width
    let run = kw * c
    Parallel.forChunks(count: count, chunkSize: 1) { _, range in
        for n in range {
            let image = dx + n * h * w * c
            for p in 0..<(oh * ow) {
                let oy = p / ow, ox = p % ow
                let row = cols + (n * oh * ow + p) * k
                let ix0 = ox * g.stride - g.padding
                let first = max(0, -ix0), last = min(kw, w - ix0)
                if first >= last { continue }
                let length = (last - first) * c
                for ky in 0..<kh {
                    let iy = oy * g.stride - g.padding + ky
                    if iy < 0 || iy >= h { continue }
                    let src = row + ky * run + first * c
                    let dst = image + (iy * w + ix0 + first) * c
                    for i in 0..<length { dst[i] += src[i] }
                }
            }
        }
    }
}

/// Copies a weight [OC, C, KH, KW] into `packed` [OC, KH, KW, C].
public func repackWeightsPixelMajor(_ weight: UnsafePointer<Float>, outChannels: Int, channels: Int,
                                    kernelH: Int, kernelW: Int, into packed: UnsafeMutablePointer<Float>) {
    let taps = kernelH * kernelW, k = channels * taps
    for o in 0..<outChannels {
        let src = weight + o * k, dst = packed + o * k
        for t in 0..<taps { for ci in 0..<channels { dst[t * channels + ci] = src[ci * taps + t] } }
    }
}

/// Adds a gradient in [OC, KH, KW, C] order into `grad` [OC, C, KH, KW] (PyTorch's order).
public func addWeightGradientsFromPixelMajor(_ packed: UnsafePointer<Float>, outChannels: Int, channels: Int,
                                             kernelH: Int, kernelW: Int, into grad: UnsafeMutablePointer<Float>) {
    let taps = kernelH * kernelW, k = channels * taps
    for o in 0..<outChannels {
        let src = packed + o * k, dst = grad + o * k
        for ci in 0..<channels { for t in 0..<taps { dst[ci * taps + t] += src[t * channels + ci] } }
    }
}
