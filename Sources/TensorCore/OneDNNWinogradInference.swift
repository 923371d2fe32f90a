import CDNNL

// Shapes: x [N, H, W, C] (NHWC), weight [OC, C, 3, 3] (PyTorch's layout), bias [OC] or none,
// scale and shift [OC] (an eval-mode BatchNorm), residual and y [N, H, W, OC].
//   y = relu?(conv(x, W·scale) + (bias·scale + shift) + residual?)
//
// Inference convolutions by Winograd (oneDNN's `jit_wino_4x3` / `jit_fp32_wino_2x3`, AVX-512
// only). The BatchNorm is folded into the weight and bias once (the weights stay in oneDNN's
// pre-transformed Winograd layout until they change), the shortcut is reordered into the
// output buffer and added by a `sum` post-op, ReLU is an eltwise post-op. The kernels read
// oneDNN's blocked layout, so each chunk of images is reordered in and out as in training
// (OneDNNWinograd.swift). Measured through the C API on Zen 4 (2 threads, ResNet-18 at 224,
// batch 1), reorders included: 64 channels at 56x56 1.02 → 0.63 ms, 128 at 28x28 0.97 → 0.41,
// 256 at 14x14 0.92 → 0.50, 512 at 7x7 0.87 → 0.68 against the direct kernels with the
// BatchNorm as binary post-ops; at batch 32 1.6–2.0× as fast.

/// Which inference convolutions take Winograd (`LOUPE_WINOGRAD=0` turns it off with training's).
enum OneDNNWinogradInferencePolicy {
    /// ResNet-20's 16 and 32 channels gain nothing; 7x7 is the smallest stage of a torchvision ResNet.
    static let minChannels = 64, minSize = 7
    /// The largest scratchpad or transformed weight one layer may ask for (512 channels by
    /// F(4x4, 3x3): 38 MiB of weights).
    static let budget = 40 << 20

    static func eligible(_ s: OneDNNConvolutionShape) -> Bool {
        OneDNNWinogradPolicy.enabled && s.kernel == 3 && s.stride == 1 && s.padding == 1
            && s.channels % 16 == 0 && s.outChannels % 16 == 0
            && min(s.channels, s.outChannels) >= minChannels && min(s.height, s.width) >= minSize
    }
}

/// A folded, transformed weight and its folded bias, owned by a layer and shared by the
/// primitives of its chunk sizes (rebuilt when a primitive reads another layout).
public final class OneDNNWinogradWeights {
    fileprivate var buffer: UnsafeMutableRawPointer = .allocate(byteCount: 64, alignment: 64)
    fileprivate var capacity = 64
    fileprivate var bias: [Float] = []
    /// The layout the buffer holds; nil when it holds nothing valid.
    fileprivate var layout: dnnl_memory_desc_t?

    public init() {}
    deinit { buffer.deallocate() }

    /// Forgets the prepared weight (the weight, bias or BatchNorm changed).
    public func invalidate() { layout = nil }

    fileprivate func reserve(_ bytes: Int) -> UnsafeMutableRawPointer {
        if bytes > capacity { buffer.deallocate(); capacity = bytes; buffer = .allocate(byteCount: bytes, alignment: 64) }
        return buffer
    }
}

/// What an inference convolution folds: the weight and bias (PyTorch's layouts) and the
/// BatchNorm's per-channel scale and shift.
public struct OneDNNWinogradFolding {
    public var weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?
    public var scale: UnsafePointer<Float>, shift: UnsafePointer<Float>
    public init(weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, scale: UnsafePointer<Float>, shift: UnsafePointer<Float>) {
        self.weight = weight; self.bias = bias; self.scale = scale; self.shift = shift
    }
}

/// One chunk size's Winograd inference primitive with its reorders.
final class OneDNNWinogradInferenceChunk {
    let shape: OneDNNConvolutionShape
    let primitive: OneDNNPrimitive
    private let src: OneDNNMemory, dst: OneDNNMemory, weights: OneDNNMemory, bias: OneDNNMemory
    private let toBlocked: OneDNNReorder, residualToBlocked: OneDNNReorder?, fromBlocked: OneDNNReorder
    private let weightReorder: OneDNNReorder

    init?(_ s: OneDNNConvolutionShape, relu: Bool, residual: Bool, layer: String) {
        let what = "\(layer) winograd inference (\(s))"
        var sAny = s.memory(s.sourceDims, dnnl_format_tag_any, layer)
        var dAny = s.memory(s.destinationDims, dnnl_format_tag_any, layer)
        var wAny = s.memory(s.weightDims, dnnl_format_tag_any, layer)
        var biasMD = s.memory([s.outChannels], dnnl_x, layer)
        var fd = dnnl_convolution_desc_t()
        guard dnnl_convolution_forward_desc_init(&fd, dnnl_forward_inference, dnnl_convolution_winograd, &sAny, &wAny, &biasMD, &dAny,
                                                 s.strides, s.paddingLeft, s.paddingRight) == dnnl_success else { return nil }
        var ops: dnnl_post_ops_t?
        if relu || residual {
            OneDNN.check(dnnl_post_ops_create(&ops), "\(what): post-ops")
            if residual { OneDNN.check(dnnl_post_ops_append_sum(ops, 1), "\(what): sum post-op") }
            if relu { OneDNN.check(dnnl_post_ops_append_eltwise(ops, 1, dnnl_eltwise_relu, 0, 0), "\(what): ReLU post-op") }
        }
        let attr = OneDNNPrimitive.attributes(postOps: ops, what)
        defer { dnnl_primitive_attr_destroy(attr); if let ops { dnnl_post_ops_destroy(ops) } }
        var pd: dnnl_primitive_desc_t?
        guard dnnl_primitive_desc_create(&pd, &fd, attr, OneDNN.shared.engine, nil) == dnnl_success, let pd else { return nil }
        let p = OneDNNPrimitive(descriptor: pd, what)
        guard p.implementation.contains("wino") else { return nil }
        let srcMD = p.memoryDescriptor(dnnl_query_src_md), dstMD = p.memoryDescriptor(dnnl_query_dst_md)
        let wMD = p.memoryDescriptor(dnnl_query_weights_md)
        weights = OneDNNMemory(wMD, what)
        guard max(weights.bytes, p.scratchpadBytes) <= OneDNNWinogradInferencePolicy.budget else { return nil }
        shape = s; primitive = p
        src = OneDNNMemory(srcMD, what); dst = OneDNNMemory(dstMD, what); bias = OneDNNMemory(biasMD, what)
        let nhwcSrc = s.memory(s.sourceDims, dnnl_nhwc, layer), nhwcDst = s.memory(s.destinationDims, dnnl_nhwc, layer)
        toBlocked = OneDNNReorder(from: nhwcSrc, to: srcMD, "\(what): x to blocked")
        residualToBlocked = residual ? OneDNNReorder(from: nhwcDst, to: dstMD, "\(what): residual to blocked") : nil
        fromBlocked = OneDNNReorder(from: dstMD, to: nhwcDst, "\(what): y from blocked")
        weightReorder = OneDNNReorder(from: s.memory(s.weightDims, dnnl_oihw, layer), to: wMD, "\(what): weight transform")
    }

    /// Bytes of one blocked activation buffer (the larger of the chunk's input and output).
    var blockedBytes: Int { max(src.bytes, dst.bytes) }
    var scratchpadBytes: Int {
        ([primitive, toBlocked.primitive, fromBlocked.primitive, weightReorder.primitive] + [residualToBlocked?.primitive].compactMap { $0 })
            .map(\.scratchpadBytes).max()!
    }

    /// Makes `prepared` hold the folded weight in this primitive's layout and the folded bias
    /// (nothing to do when it already does).
    func prepare(_ prepared: OneDNNWinogradWeights, _ f: OneDNNWinogradFolding, scratchpad: UnsafeMutableRawPointer?) {
        if let layout = prepared.layout, weights.equals(layout) { return }
        let oc = shape.outChannels, per = shape.channels * 9
        var folded = [Float](repeating: 0, count: oc * per)
        prepared.bias = Array(repeating: 0, count: oc)
        for o in 0..<oc {
            let k = f.scale[o]
            for i in 0..<per { folded[o * per + i] = f.weight[o * per + i] * k }
            prepared.bias[o] = (f.bias.map { $0[o] } ?? 0) * k + f.shift[o]
        }
        let buffer = prepared.reserve(weights.bytes)
        folded.withUnsafeBufferPointer { weightReorder.execute(from: $0.baseAddress!, to: buffer, scratchpad: scratchpad) }
        prepared.layout = weights.descriptor
    }

    /// y (NHWC) for this chunk, through the blocked buffers `a` and `b` (`blockedBytes` each).
    func run(x: UnsafePointer<Float>, residual: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>, prepared: OneDNNWinogradWeights,
             a: UnsafeMutableRawPointer, b: UnsafeMutableRawPointer, scratchpad: UnsafeMutableRawPointer?) {
        let what = primitive.what
        toBlocked.execute(from: x, to: a, scratchpad: scratchpad)
        if let residualToBlocked {
            guard let residual else { fatalError("oneDNN: \(what): no residual given") }
            residualToBlocked.execute(from: residual, to: b, scratchpad: scratchpad)
        }
        prepared.bias.withUnsafeBufferPointer { bias in
            primitive.run([OneDNNBinding(Int32(DNNL_ARG_SRC), src, a), OneDNNBinding(Int32(DNNL_ARG_WEIGHTS), weights, prepared.buffer),
                           OneDNNBinding(Int32(DNNL_ARG_BIAS), self.bias, bias.baseAddress!), OneDNNBinding(Int32(DNNL_ARG_DST), dst, b)], scratchpad: scratchpad)
        }
        fromBlocked.execute(from: b, to: y, scratchpad: scratchpad)
    }
}

/// A 3x3 inference convolution with a folded BatchNorm (and shortcut, ReLU) by Winograd, over a
/// whole batch in chunks of `OneDNNWinogradPolicy.chunk` images (the last may be smaller).
public final class OneDNNWinogradInference {
    public let shape: OneDNNConvolutionShape
    private let full: OneDNNWinogradInferenceChunk
    private let rest: OneDNNWinogradInferenceChunk?

    /// nil when the shape, the CPU or the memory budget rules Winograd out.
    public init?(_ s: OneDNNConvolutionShape, relu: Bool, residual: Bool, layer: String) {
        guard OneDNNWinogradInferencePolicy.eligible(s),
              let (f, r) = OneDNNWinogradPolicy.chunks(s, { OneDNNWinogradInferenceChunk($0, relu: relu, residual: residual, layer: layer) })
        else { return nil }
        shape = s; full = f; rest = r
    }

    public var implementation: String { full.primitive.implementation }
    /// Bytes of each of the two blocked buffers `execute` borrows.
    public var blockedBytes: Int { max(full.blockedBytes, rest?.blockedBytes ?? 0) }
    public var scratchpadBytes: Int { max(full.scratchpadBytes, rest?.scratchpadBytes ?? 0) }

    /// y from x (and the residual, when built with one), the whole batch, chunk by chunk; the
    /// folded weight is taken from `prepared`, or built into it when it holds another layout or
    /// none (the caller invalidates it when the weight, bias or BatchNorm change).
    public func execute(x: UnsafePointer<Float>, residual: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>,
                        folding: OneDNNWinogradFolding, prepared: OneDNNWinogradWeights,
                        a: UnsafeMutableRawPointer, b: UnsafeMutableRawPointer, scratchpad: UnsafeMutableRawPointer?) {
        let s = shape, inImage = s.height * s.width * s.channels, outImage = s.outHeight * s.outWidth * s.outChannels
        let c = full.shape.batch
        var n = 0
        while n < s.batch {
            let p = n + c <= s.batch ? full : rest!
            p.prepare(prepared, folding, scratchpad: scratchpad)
            p.run(x: x + n * inImage, residual: residual.map { $0 + n * outImage }, y: y + n * outImage, prepared: prepared,
                  a: a, b: b, scratchpad: scratchpad)
            n += p.shape.batch
        }
    }
}
