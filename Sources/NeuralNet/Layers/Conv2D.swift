import TensorCore

// Shapes: x [N, H, W, C] (NHWC), weight [OC, C, KH, KW] (PyTorch's layout, used as a [OC, K]
// matrix with K = C*KH*KW), y [N, OH, OW, OC]. With cols = im2col(x) of shape [N*OH*OW, K]:
//   forward   y     = cols · Wᵀ (+ bias)
//   backward  dW   += dyᵀ · cols          (dy as [N*OH*OW, OC])
//             dcols = dy · W,  dx = col2im(dcols)
// Images are processed in chunks so the column matrix stays within the workspace budget.
// The column order is pixel-major (ky, kx, c) (see Im2col+PixelMajor.swift), so the GEMM uses
// a repacked [OC, KH, KW, C] copy of the weight, made in the shared workspace on each call.
// Narrow layers (at most 64 channels, outputs in blocks of 16, on CPUs with AVX2 + FMA) skip the
// column matrix: TensorCore's `DirectConvolution` computes y, dW and (stride 1) dx directly from
// zero-padded copies of x and dy (see `usesDirect`).

/// What an inference-mode convolution applies to its output per channel (a folded BatchNorm).
/// `y = relu?(y·scale + shift + residual?)`, per output channel.
public struct ConvEpilogue {
    public var scale: [Float], shift: [Float], relu: Bool
    /// Added before the ReLU (a residual block's shortcut); the output's shape.
    public var residual: Tensor?
    public init(scale: [Float], shift: [Float], relu: Bool, residual: Tensor? = nil) {
        self.scale = scale; self.shift = shift; self.relu = relu; self.residual = residual
    }
}

/// 2-D convolution, computed as im2col + one GEMM per chunk of images.
public final class Conv2D {
    public let inChannels: Int, outChannels: Int, kernel: Int, stride: Int, padding: Int
    public let name: String
    let arena: ParameterArena
    let workspace: Workspace
    public let weightOffset: Int
    public let biasOffset: Int?
    /// When false, backward computes no weight gradients (a frozen layer).
    public var trainable = true
    /// When false, backward skips the input gradient (e.g. the first layer of a network).
    public var needsInputGradient = true
    /// When false, the direct kernel is never used (see `usesDirect`).
    public var allowsDirect = true

    private var input: Tensor?
    public let output = Tensor(shape: [0])
    private let inputGrad = Tensor(shape: [0])

    public init(_ name: String, _ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1,
                padding: Int = 0, bias: Bool = false, arena: ParameterArena, workspace: Workspace, isHead: Bool = false) {
        self.name = name
        self.inChannels = inChannels; self.outChannels = outChannels
        self.kernel = kernel; self.stride = stride; self.padding = padding
        self.arena = arena; self.workspace = workspace
        weightOffset = arena.register("\(name).weight", shape: [outChannels, inChannels, kernel, kernel], role: .convWeight, isHead: isHead)
        biasOffset = bias ? arena.register("\(name).bias", shape: [outChannels], role: .bias, isHead: isHead) : nil
    }

    var patchSize: Int { inChannels * kernel * kernel }

    /// Kaiming normal, fan_out, gain √2 (torchvision's ResNet initialisation); zero bias.
    public func initialize(_ rng: inout SeededGenerator) {
        let std = (2.0 / Float(outChannels * kernel * kernel)).squareRoot()
        let w = arena.values + weightOffset
        for i in 0..<(outChannels * patchSize) { w[i] = rng.nextNormal() * std }
        if let b = biasOffset { (arena.values + b).update(repeating: 0, count: outChannels) }
    }

    func geometry(_ x: Tensor) -> ConvGeometry {
        precondition(x.shape.count == 4 && x.shape[3] == inChannels,
                     "\(name): expected NHWC input with \(inChannels) channels, got \(x.shape)")
        return ConvGeometry(channels: inChannels, height: x.shape[1], width: x.shape[2],
                            kernelH: kernel, kernelW: kernel, stride: stride, padding: padding)
    }

    /// Images per chunk so that one chunk's column matrix fits the workspace budget.
    func imagesPerChunk(_ g: ConvGeometry, batch: Int) -> Int {
        let perImage = g.outHeight * g.outWidth * g.patchSize
        return max(1, min(batch, workspace.budget / max(perImage, 1)))
    }

    public func forward(_ x: Tensor) -> Tensor {
        forward(x, epilogue: nil)
    }

    /// Forward with an optional per-output-channel affine map, residual and ReLU applied in the
    /// pass that adds the bias (`y = relu?((conv + bias)·scale + shift + residual?)`): the
    /// inference path of a convolution followed by an eval-mode BatchNorm. The weights are not
    /// modified or cached, so a change to them is always seen.
    public func forward(_ x: Tensor, epilogue: ConvEpilogue?) -> Tensor {
        input = x
        let g = geometry(x)
        let n = x.shape[0], oh = g.outHeight, ow = g.outWidth, k = g.patchSize
        precondition(oh > 0 && ow > 0, "\(name): input \(x.shape[1])x\(x.shape[2]) is smaller than the \(kernel)x\(kernel) kernel")
        output.resize(to: [n, oh, ow, outChannels])
        let rows = n * oh * ow
        if g.isPointwise {
            gemm(.none, .transposed, m: rows, n: outChannels, k: k, a: x.data, lda: k, b: arena.values + weightOffset, ldb: k,
                 c: output.data, ldc: outChannels)
        } else if usesDirect(forOutput: outChannels, from: inChannels) {
            let hp = g.height + 2 * padding, wp = g.width + 2 * padding
            let xp = workspace.padded(n * hp * wp * inChannels)
            padImages(x.data, count: n, height: g.height, width: g.width, channels: inChannels, padding: padding, into: xp)
            let packed = workspace.weights(outChannels * k)
            packWeightsDirect(arena.values + weightOffset, outChannels: outChannels, channels: inChannels,
                              kernelH: kernel, kernelW: kernel, into: packed)
            DirectConvolution.convolve(padded: xp, count: n, paddedHeight: hp, paddedWidth: wp, channels: inChannels,
                                       packedWeight: packed, kernelH: kernel, kernelW: kernel, outChannels: outChannels,
                                       stride: stride, outHeight: oh, outWidth: ow, into: output.data)
        } else {
            let pixelMajor = usesPixelMajor(rows: rows)
            let w = pixelMajor ? packedWeights() : UnsafePointer(arena.values + weightOffset)
            let step = imagesPerChunk(g, batch: n)
            let cols = workspace.buffer(step * oh * ow * k)
            for start in Swift.stride(from: 0, to: n, by: step) {
                let count = min(step, n - start)
                let image = x.data + start * g.height * g.width * inChannels
                if pixelMajor { im2colPixelMajor(image, count: count, g, into: cols) } else { im2col(image, count: count, g, into: cols) }
                gemm(.none, .transposed, m: count * oh * ow, n: outChannels, k: k, a: cols, lda: k, b: w, ldb: k,
                     c: output.data + start * oh * ow * outChannels, ldc: outChannels)
            }
        }
        let y = output.data, oc = outChannels
        let b = biasOffset.map { UnsafePointer(arena.values + $0) }
        if let e = epilogue {
            precondition(e.scale.count == oc && e.shift.count == oc, "\(name): epilogue for \(e.scale.count) channels, layer has \(oc)")
            precondition(e.residual.map { $0.shape == output.shape } ?? true, "\(name): residual \(e.residual?.shape ?? []) vs output \(output.shape)")
            let res = e.residual.map { UnsafePointer($0.data) }
            e.shift.withUnsafeBufferPointer { sh in e.scale.withUnsafeBufferPointer { sc in
                let shift = sh.baseAddress!, scale = sc.baseAddress!, relu = e.relu
                forRowRanges(rows) { span in for r in span {
                    let yr = y + r * oc
                    if let b { for c in 0..<oc { yr[c] += b[c] } }
                    if let res {
                        let rr = res + r * oc
                        for c in 0..<oc { yr[c] = yr[c] * scale[c] + shift[c] + rr[c] }
                    } else {
                        for c in 0..<oc { yr[c] = yr[c] * scale[c] + shift[c] }
                    }
                    if relu { for c in 0..<oc { yr[c] = max(yr[c], 0) } }
                } }
            } }
        } else if let b {
            forRowRanges(rows) { span in for r in span { for c in 0..<oc { y[r * oc + c] += b[c] } } }
        }
        return output
    }

    /// Whether im2col uses the pixel-major column order (memcpy runs, but a repacked weight) or
    /// PyTorch's order (scattered copies, the weight as stored). Repacking costs a pass over
    /// the weight, OC·K values, per call; it pays when the column matrix (rows·K) is several
    /// times larger, as in training. Batch-1 inference of late stages (7x7 outputs, 512
    /// channels) takes PyTorch's order. A 1x1 kernel has the same order either way.
    public func usesPixelMajor(rows: Int) -> Bool { kernel == 1 || rows >= 4 * outChannels }

    /// Whether the direct kernel computes a convolution producing `outputs` channels from
    /// `inputs` (the forward pass, or the input gradient with the two swapped). It replaces
    /// im2col + GEMM where the GEMM is narrow and memory-bound: a kernel larger than 1x1, at
    /// most `DirectConvolution.widest` channels on either side, and whole blocks of 16 outputs.
    /// `allowsDirect = false` forces the GEMM path (tests compare the two).
    public func usesDirect(forOutput outputs: Int, from inputs: Int) -> Bool {
        allowsDirect && DirectConvolution.isAvailable && kernel > 1
            && outputs % DirectConvolution.channelBlock == 0
            && outputs <= DirectConvolution.widest && inputs <= DirectConvolution.widest
    }

    /// The weight as the pixel-major GEMM reads it, [OC, KH, KW, C]; a 1x1 kernel is used in place.
    private func packedWeights() -> UnsafePointer<Float> {
        let w = UnsafePointer(arena.values + weightOffset)
        if kernel == 1 { return w }
        let packed = workspace.weights(outChannels * patchSize)
        repackWeightsPixelMajor(w, outChannels: outChannels, channels: inChannels, kernelH: kernel, kernelW: kernel, into: packed)
        return UnsafePointer(packed)
    }

    /// Accumulates weight (and bias) gradients; returns dx, or nil when `needsInputGradient` is off.
    @discardableResult
    public func backward(_ dy: Tensor) -> Tensor? {
        backward(dy, into: inputGrad)
    }

    /// As `backward(_:)`, writing dx into `inputGrad` (resized; not `dy`) instead of the layer's own tensor.
    @discardableResult
    public func backward(_ dy: Tensor, into inputGrad: Tensor) -> Tensor? {
        backward(dy, into: inputGrad, residual: nil)
    }

    /// As `backward(_:into:)`, then `dx += residual` where `mask > 0`: the gradient of a
    /// residual block's identity shortcut through the block's final ReLU (`residual` = the
    /// block's dy, `mask` = its output), all of x's shape. The direct kernel adds it in the pass
    /// that stores dx; otherwise it is a pass of its own.
    @discardableResult
    public func backward(_ dy: Tensor, into inputGrad: Tensor, addingResidual residual: Tensor, where mask: Tensor) -> Tensor {
        precondition(needsInputGradient, "\(name): a residual gradient needs the input gradient")
        return backward(dy, into: inputGrad, residual: (residual, mask))!
    }

    private func backward(_ dy: Tensor, into inputGrad: Tensor, residual: (add: Tensor, mask: Tensor)?) -> Tensor? {
        guard let x = input else { preconditionFailure("\(name): backward before forward") }
        let g = geometry(x)
        let n = x.shape[0], oh = g.outHeight, ow = g.outWidth, k = g.patchSize, oc = outChannels
        let w = UnsafePointer(arena.values + weightOffset)
        let dw = arena.grads + weightOffset
        if trainable, let bo = biasOffset {
            let sums = columnReduce(rows: n * oh * ow, cols: oc) { span, acc in for r in span {
                let row = dy.data + r * oc
                for c in 0..<oc { acc[c] += row[c] }
            } }
            let db = arena.grads + bo
            for c in 0..<oc { db[c] += Float(sums[c]) }
        }
        if needsInputGradient { inputGrad.resize(to: x.shape) }
        if g.isPointwise {
            if trainable {
                gemm(.transposed, .none, m: oc, n: k, k: n * oh * ow, a: dy.data, lda: oc, b: x.data, ldb: k,
                     beta: 1, c: dw, ldc: k)
            }
            if needsInputGradient {
                gemm(.none, .none, m: n * oh * ow, n: k, k: oc, a: dy.data, lda: oc, b: w, ldb: k,
                     c: inputGrad.data, ldc: k)
            }
        } else if trainable || needsInputGradient {
            // The direct kernel first (it uses its own workspace buffers): the weight gradient
            // wherever the forward pass could use it, the input gradient of a stride-1 layer as
            // a direct convolution of the padded output gradient.
            let directInput = needsInputGradient && stride == 1 && usesDirect(forOutput: inChannels, from: oc)
            let directWeights = trainable && usesDirect(forOutput: oc, from: inChannels)
            if directInput { inputGradientDirect(dy, g, into: inputGrad, residual: residual) }
            if directWeights { weightGradientDirect(x, dy, g, into: dw) }
            let gemmInput = needsInputGradient && !directInput, gemmWeights = trainable && !directWeights
            if gemmInput { inputGrad.zero() }
            // Pixel-major columns: the weight gradient is formed in [OC, KH, KW, C] order and
            // mapped back to PyTorch's order once; a 1x1 kernel or PyTorch's order needs no mapping.
            let pixelMajor = usesPixelMajor(rows: n * oh * ow)
            let direct = kernel == 1 || !pixelMajor
            let packedGrad = direct ? dw : workspace.weightGradient(oc * k)
            let step = imagesPerChunk(g, batch: n)
            let cols = workspace.buffer(step * oh * ow * k)
            let wp = gemmInput && pixelMajor ? packedWeights() : w
            for start in Swift.stride(from: 0, to: n, by: step) where gemmWeights || gemmInput {
                let count = min(step, n - start), rows = count * oh * ow
                let dyChunk = dy.data + start * oh * ow * oc
                let image = x.data + start * g.height * g.width * inChannels
                if gemmWeights {
                    if pixelMajor { im2colPixelMajor(image, count: count, g, into: cols) } else { im2col(image, count: count, g, into: cols) }
                    gemm(.transposed, .none, m: oc, n: k, k: rows, a: dyChunk, lda: oc, b: cols, ldb: k,
                         beta: direct || start > 0 ? 1 : 0, c: packedGrad, ldc: k)
                }
                if gemmInput {
                    gemm(.none, .none, m: rows, n: k, k: oc, a: dyChunk, lda: oc, b: wp, ldb: k, c: cols, ldc: k)
                    let dxImage = inputGrad.data + start * g.height * g.width * inChannels
                    if pixelMajor { col2imAccumulatePixelMajor(cols, count: count, g, into: dxImage) } else { col2imAccumulate(cols, count: count, g, into: dxImage) }
                }
            }
            if gemmWeights && !direct {
                addWeightGradientsFromPixelMajor(packedGrad, outChannels: oc, channels: inChannels,
                                                 kernelH: kernel, kernelW: kernel, into: dw)
            }
        }
        if let (add, mask) = residual, !fusedResidual(g) {
            precondition(add.shape == x.shape && mask.shape == x.shape, "\(name): residual \(add.shape), mask \(mask.shape), input \(x.shape)")
            let a = inputGrad.data, d = add.data, m = mask.data
            forRanges(inputGrad.count) { span in for i in span { a[i] += m[i] > 0 ? d[i] : 0 } }
        }
        return needsInputGradient ? inputGrad : nil
    }

    /// Whether backward's input gradient goes through the direct kernel, which then adds a
    /// residual gradient itself.
    private func fusedResidual(_ g: ConvGeometry) -> Bool {
        !g.isPointwise && needsInputGradient && stride == 1 && usesDirect(forOutput: inChannels, from: outChannels)
    }

    /// Adds dW through the direct kernel: the input padded again (the buffer is shared by all
    /// layers), per-chunk partial sums in the workspace.
    private func weightGradientDirect(_ x: Tensor, _ dy: Tensor, _ g: ConvGeometry, into dw: UnsafeMutablePointer<Float>) {
        let n = x.shape[0], oh = g.outHeight, ow = g.outWidth
        let hp = g.height + 2 * padding, wp = g.width + 2 * padding
        let xp = workspace.padded(n * hp * wp * inChannels)
        padImages(x.data, count: n, height: g.height, width: g.width, channels: inChannels, padding: padding, into: xp)
        let scratch = workspace.weightGradient(DirectConvolution.weightGradientScratch(rows: n * oh, outChannels: outChannels, patchSize: g.patchSize))
        DirectConvolution.weightGradient(padded: xp, count: n, paddedHeight: hp, paddedWidth: wp, channels: inChannels,
                                         outputGradient: dy.data, kernelH: kernel, kernelW: kernel, outChannels: outChannels,
                                         stride: stride, outHeight: oh, outWidth: ow, scratch: scratch, into: dw)
    }

    /// dx for a stride-1 convolution through the direct kernel: dy padded by KH-1-P, convolved
    /// with the flipped kernel whose channel axes are swapped. Overwrites `dx`.
    private func inputGradientDirect(_ dy: Tensor, _ g: ConvGeometry, into dx: Tensor, residual: (add: Tensor, mask: Tensor)?) {
        let n = dy.shape[0], oh = g.outHeight, ow = g.outWidth, oc = outChannels
        let pad = kernel - 1 - padding
        precondition(pad >= 0, "\(name): padding \(padding) is wider than the kernel allows for the direct input gradient")
        let hp = oh + 2 * pad, wp = ow + 2 * pad
        let dyp = workspace.padded(n * hp * wp * oc)
        padImages(dy.data, count: n, height: oh, width: ow, channels: oc, padding: pad, into: dyp)
        let packed = workspace.weights(oc * g.patchSize)
        packWeightsDirectForInputGradient(arena.values + weightOffset, outChannels: oc, channels: inChannels,
                                          kernelH: kernel, kernelW: kernel, into: packed)
        DirectConvolution.convolve(padded: dyp, count: n, paddedHeight: hp, paddedWidth: wp, channels: oc,
                                   packedWeight: packed, kernelH: kernel, kernelW: kernel, outChannels: inChannels,
                                   stride: 1, outHeight: g.height, outWidth: g.width, into: dx.data,
                                   adding: residual.map { UnsafePointer($0.add.data) }, where: residual.map { UnsafePointer($0.mask.data) })
    }
}
