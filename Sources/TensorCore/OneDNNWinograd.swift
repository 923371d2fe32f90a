import CDNNL
#if canImport(Glibc)
import Glibc
#endif

// Shapes: x [N, H, W, C] (NHWC), weight [OC, C, 3, 3] (PyTorch's layout), y [N, H, W, OC];
// 3x3 kernel, stride 1, padding 1, C and OC multiples of 16, no bias.
//
// Training convolutions by Winograd's F(4x4, 3x3) (oneDNN's `jit_wino_4x3`, AVX-512 only):
// about half the time of the direct kernels on the 3x3 layers of a ResNet at 64–256 channels.
// Its kernels read activations in oneDNN's blocked layout (nChw16c), not NHWC, so the batch is
// processed in chunks of `chunk` images: each chunk is reordered into a blocked buffer, convolved
// and reordered back. Chunks keep the extra memory to two chunk-sized buffers (4 MiB each at
// 64 channels, 32x32, 16 images) and the scratchpad, where whole-batch buffers would add two
// activations of the largest layer to the peak. On r18s (batch 64) the first two stages take
// this path: 1.2–1.3× the training rate for ~36 MiB more peak memory (BENCHMARKS.md). Chunks run in a fixed order and the weight
// gradient of each is added to dW in that order, so results are deterministic for a thread count.
// The arithmetic differs from the direct kernels (Winograd's transforms round differently):
// within 1e-5 relative of the naive reference on the tests' layers.

/// Whether and how the engine uses Winograd convolutions (`LOUPE_WINOGRAD=0` turns them off).
public enum OneDNNWinogradPolicy {
    /// Images per chunk.
    public static let chunk = 16
    /// Narrower or smaller layers gain nothing after the reorders (ResNet-20's 16–64 channels
    /// at 28x28 to 7x7 measured 0.95–1.0× the direct kernels).
    static let minChannels = 64, minSize = 16
    /// The largest scratchpad a Winograd layer may ask for (64 and 128 channels ask 10–25 MiB
    /// at 16 images; 256 channels 41 MiB and 512 channels 124 MiB, which stay on the direct
    /// kernels, as do layers narrower than 64 channels or smaller than 16x16).
    public static let scratchpadBudget = 28 << 20

    /// `LOUPE_WINOGRAD` as set: "0" (off), "onednn" (oneDNN's only, not Loupe's own of
    /// WinogradConvolution.swift, which otherwise go first), or nil.
    public static let setting: String? = getenv("LOUPE_WINOGRAD").map { String(cString: $0) }

    public static let enabled: Bool = setting != "0"

    /// The primitives for a batch taken in chunks: `make` for `chunk` images (the whole batch
    /// when smaller) and for the remainder, if any; nil when `make` gives nil for either.
    static func chunks<T>(_ s: OneDNNConvolutionShape, _ make: (OneDNNConvolutionShape) -> T?) -> (full: T, rest: T?)? {
        var cs = s; cs.batch = min(chunk, s.batch)
        guard let full = make(cs) else { return nil }
        let r = s.batch % cs.batch
        guard r > 0 else { return (full, nil) }
        var rs = s; rs.batch = r
        guard let rest = make(rs) else { return nil }
        return (full, rest)
    }

    /// Whether the geometry is one Winograd F(4x4, 3x3) can take at all.
    static func eligible(_ s: OneDNNConvolutionShape) -> Bool {
        enabled && s.kernel == 3 && s.stride == 1 && s.padding == 1 && !s.hasBias
            && s.channels % 16 == 0 && s.outChannels % 16 == 0 
            && min(s.channels, s.outChannels) >= minChannels && min(s.height, s.width) >= minSize
    }
}

/// The three training passes of one 3x3 convolution by Winograd, for one chunk batch size.
final class OneDNNWinogradChunk {
    let shape: OneDNNConvolutionShape
    let forward: OneDNNPrimitive, inputGradient: OneDNNPrimitive, weightGradient: OneDNNPrimitive
    private let srcMemory: OneDNNMemory, dstMemory: OneDNNMemory, forwardWeights: OneDNNMemory
    private let diffDstMemory: OneDNNMemory, diffSrcMemory: OneDNNMemory, dataWeights: OneDNNMemory
    private let wSrcMemory: OneDNNMemory, wDiffDstMemory: OneDNNMemory, diffWeights: OneDNNMemory
    private let toBlockedSrc: OneDNNReorder, fromBlockedDst: OneDNNReorder
    private let toBlockedDiffDst: OneDNNReorder, fromBlockedDiffSrc: OneDNNReorder
    private let toBlockedWSrc: OneDNNReorder, toBlockedWDiffDst: OneDNNReorder
    private let forwardWeightReorder: OneDNNReorder?, dataWeightReorder: OneDNNReorder?
    private let accumulate: OneDNNReorder

    /// nil when oneDNN has no Winograd kernel for it (no AVX-512, or a shape it refuses).
    init?(_ s: OneDNNConvolutionShape, layer: String) {
        let what = "\(layer) winograd (\(s))"
        var sAny = s.memory(s.sourceDims, dnnl_format_tag_any, layer)
        var dAny = s.memory(s.destinationDims, dnnl_format_tag_any, layer)
        var wAny = s.memory(s.weightDims, dnnl_format_tag_any, layer)
        let strides = s.strides, pl = s.paddingLeft, pr = s.paddingRight
        var fd = dnnl_convolution_desc_t()
        guard dnnl_convolution_forward_desc_init(&fd, dnnl_forward_training, dnnl_convolution_winograd, &sAny, &wAny, nil, &dAny,
                                                 strides, pl, pr) == dnnl_success else { return nil }
        let attr = OneDNNPrimitive.attributes(postOps: nil, what)
        defer { dnnl_primitive_attr_destroy(attr) }
        var fpd: dnnl_primitive_desc_t?
        guard dnnl_primitive_desc_create(&fpd, &fd, attr, OneDNN.shared.engine, nil) == dnnl_success, let fpd else { return nil }
        let f = OneDNNPrimitive(descriptor: fpd, "\(what): forward")
        guard f.implementation.hasPrefix("jit_wino") else { return nil }
        var src = f.memoryDescriptor(dnnl_query_src_md), dst = f.memoryDescriptor(dnnl_query_dst_md)

        var bd = dnnl_convolution_desc_t()
        guard dnnl_convolution_backward_data_desc_init(&bd, dnnl_convolution_winograd, &src, &wAny, &dst, strides, pl, pr) == dnnl_success
        else { return nil }
        var bpd: dnnl_primitive_desc_t?
        guard dnnl_primitive_desc_create(&bpd, &bd, attr, OneDNN.shared.engine, fpd) == dnnl_success, let bpd else { return nil }
        let b = OneDNNPrimitive(descriptor: bpd, "\(what): input gradient")
        var wd = dnnl_convolution_desc_t()
        guard dnnl_convolution_backward_weights_desc_init(&wd, dnnl_convolution_winograd, &src, &wAny, nil, &dst, strides, pl, pr) == dnnl_success
        else { return nil }
        var wpd: dnnl_primitive_desc_t?
        guard dnnl_primitive_desc_create(&wpd, &wd, attr, OneDNN.shared.engine, fpd) == dnnl_success, let wpd else { return nil }
        let w = OneDNNPrimitive(descriptor: wpd, "\(what): weight gradient")
        guard b.implementation.hasPrefix("jit_wino"), w.implementation.hasPrefix("jit_wino") else { return nil }
        guard max(f.scratchpadBytes, b.scratchpadBytes, w.scratchpadBytes) <= OneDNNWinogradPolicy.scratchpadBudget else { return nil }
        shape = s; forward = f; inputGradient = b; weightGradient = w

        let nhwcSrc = s.memory(s.sourceDims, dnnl_nhwc, layer), nhwcDst = s.memory(s.destinationDims, dnnl_nhwc, layer)
        let plain = s.memory(s.weightDims, dnnl_oihw, layer)
        func md(_ p: OneDNNPrimitive, _ q: dnnl_query_t) -> dnnl_memory_desc_t { p.memoryDescriptor(q) }
        srcMemory = OneDNNMemory(src, what); dstMemory = OneDNNMemory(dst, what)
        forwardWeights = OneDNNMemory(md(f, dnnl_query_weights_md), what)
        diffDstMemory = OneDNNMemory(md(b, dnnl_query_diff_dst_md), what)
        diffSrcMemory = OneDNNMemory(md(b, dnnl_query_diff_src_md), what)
        dataWeights = OneDNNMemory(md(b, dnnl_query_weights_md), what)
        wSrcMemory = OneDNNMemory(md(w, dnnl_query_src_md), what)
        wDiffDstMemory = OneDNNMemory(md(w, dnnl_query_diff_dst_md), what)
        diffWeights = OneDNNMemory(md(w, dnnl_query_diff_weights_md), what)
        toBlockedSrc = OneDNNReorder(from: nhwcSrc, to: src, "\(what): x to blocked")
        fromBlockedDst = OneDNNReorder(from: dst, to: nhwcDst, "\(what): y from blocked")
        toBlockedDiffDst = OneDNNReorder(from: nhwcDst, to: diffDstMemory.descriptor, "\(what): dy to blocked")
        fromBlockedDiffSrc = OneDNNReorder(from: diffSrcMemory.descriptor, to: nhwcSrc, "\(what): dx from blocked")
        toBlockedWSrc = OneDNNReorder(from: nhwcSrc, to: wSrcMemory.descriptor, "\(what): x to blocked (weight gradient)")
        toBlockedWDiffDst = OneDNNReorder(from: nhwcDst, to: wDiffDstMemory.descriptor, "\(what): dy to blocked (weight gradient)")
        forwardWeightReorder = forwardWeights.equals(plain) ? nil : OneDNNReorder(from: plain, to: forwardWeights.descriptor, "\(what): weight reorder")
        dataWeightReorder = dataWeights.equals(plain) ? nil : OneDNNReorder(from: plain, to: dataWeights.descriptor, "\(what): weight reorder (input gradient)")
        accumulate = OneDNNReorder(from: diffWeights.descriptor, to: plain, accumulate: true, "\(what): accumulating reorder")
    }

    /// Bytes of one blocked activation buffer (the larger of a chunk's input and output).
    var blockedBytes: Int {
        [srcMemory, dstMemory, diffDstMemory, diffSrcMemory, wSrcMemory, wDiffDstMemory].map(\.bytes).max()!
    }
    /// Bytes of the weight in the forward's or the input gradient's layout, and of dW in the
    /// weight gradient's layout (one buffer serves each in turn).
    var weightBytes: Int { max(forwardWeights.bytes, dataWeights.bytes, diffWeights.bytes) }
    var scratchpadBytes: Int {
        ([forward, inputGradient, weightGradient] + [toBlockedSrc, fromBlockedDst, toBlockedDiffDst, fromBlockedDiffSrc,
          toBlockedWSrc, toBlockedWDiffDst, accumulate].map(\.primitive) + [forwardWeightReorder, dataWeightReorder].compactMap { $0?.primitive })
            .map(\.scratchpadBytes).max()!
    }

    /// The two passes that take one activation to another through the weight.
    enum Pass { case forward, inputGradient }

    private struct Route {
        let primitive: OneDNNPrimitive, toBlocked: OneDNNReorder, fromBlocked: OneDNNReorder
        let input: (arg: Int32, memory: OneDNNMemory), output: (arg: Int32, memory: OneDNNMemory)
        let weights: OneDNNMemory, weightReorder: OneDNNReorder?
    }

    private func route(_ pass: Pass) -> Route {
        switch pass {
        case .forward:
            return Route(primitive: forward, toBlocked: toBlockedSrc, fromBlocked: fromBlockedDst,
                         input: (Int32(DNNL_ARG_SRC), srcMemory), output: (Int32(DNNL_ARG_DST), dstMemory),
                         weights: forwardWeights, weightReorder: forwardWeightReorder)
        case .inputGradient:
            return Route(primitive: inputGradient, toBlocked: toBlockedDiffDst, fromBlocked: fromBlockedDiffSrc,
                         input: (Int32(DNNL_ARG_DIFF_DST), diffDstMemory), output: (Int32(DNNL_ARG_DIFF_SRC), diffSrcMemory),
                         weights: dataWeights, weightReorder: dataWeightReorder)
        }
    }

    /// The PyTorch-layout weight in the layout `pass` reads (written into `buffer` when it differs).
    func prepareWeights(_ pass: Pass, _ weight: UnsafePointer<Float>, into buffer: UnsafeMutableRawPointer,
                        scratchpad: UnsafeMutableRawPointer?) -> UnsafeRawPointer {
        guard let r = route(pass).weightReorder else { return UnsafeRawPointer(weight) }
        r.execute(from: weight, to: buffer, scratchpad: scratchpad)
        return UnsafeRawPointer(buffer)
    }

    /// forward: y from x; inputGradient: dx (overwritten) from dy — NHWC, this chunk, through the
    /// blocked buffers `a` and `b` (`blockedBytes` each).
    func run(_ pass: Pass, from input: UnsafePointer<Float>, weights: UnsafeRawPointer, to output: UnsafeMutablePointer<Float>,
             a: UnsafeMutableRawPointer, b: UnsafeMutableRawPointer, scratchpad: UnsafeMutableRawPointer?) {
        let r = route(pass)
        r.toBlocked.execute(from: input, to: a, scratchpad: scratchpad)
        r.primitive.run([OneDNNBinding(r.input.arg, r.input.memory, a), OneDNNBinding(Int32(DNNL_ARG_WEIGHTS), r.weights, weights),
                         OneDNNBinding(r.output.arg, r.output.memory, b)], scratchpad: scratchpad)
        r.fromBlocked.execute(from: b, to: output, scratchpad: scratchpad)
    }

    /// dw (PyTorch's layout) += this chunk's weight gradient; `gradient` holds `weightBytes`.
    func weightGradient(x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dw: UnsafeMutablePointer<Float>,
                        gradient: UnsafeMutableRawPointer, a: UnsafeMutableRawPointer, b: UnsafeMutableRawPointer,
                        scratchpad: UnsafeMutableRawPointer?) {
        toBlockedWSrc.execute(from: x, to: a, scratchpad: scratchpad)
        toBlockedWDiffDst.execute(from: dy, to: b, scratchpad: scratchpad)
        weightGradient.run([OneDNNBinding(Int32(DNNL_ARG_SRC), wSrcMemory, a), OneDNNBinding(Int32(DNNL_ARG_DIFF_DST), wDiffDstMemory, b),
                            OneDNNBinding(Int32(DNNL_ARG_DIFF_WEIGHTS), diffWeights, gradient)], scratchpad: scratchpad)
        accumulate.execute(from: gradient, to: dw, scratchpad: scratchpad)
    }
}

/// A 3x3 training convolution by Winograd over a whole batch, in chunks of
/// `OneDNNWinogradPolicy.chunk` images (the last chunk may be smaller: its own primitives).
public final class OneDNNWinogradConvolution {
    public let shape: OneDNNConvolutionShape
    private let full: OneDNNWinogradChunk
    private let rest: OneDNNWinogradChunk?

    /// nil when the shape or the CPU has no Winograd kernel within the policy.
    public init?(_ s: OneDNNConvolutionShape, layer: String) {
        guard OneDNNWinogradPolicy.eligible(s),
              let (f, r) = OneDNNWinogradPolicy.chunks(s, { OneDNNWinogradChunk($0, layer: layer) }) else { return nil }
        shape = s; full = f; rest = r
    }

    public var implementation: String { full.forward.implementation }
    public var inputGradientImplementation: String { full.inputGradient.implementation }
    public var weightGradientImplementation: String { full.weightGradient.implementation }

    /// Bytes of each of the two blocked buffers every pass needs.
    public var blockedBytes: Int { max(full.blockedBytes, rest?.blockedBytes ?? 0) }
    /// Bytes of the buffer for a reordered weight or a weight gradient.
    public var weightBytes: Int { max(full.weightBytes, rest?.weightBytes ?? 0) }
    public var scratchpadBytes: Int { max(full.scratchpadBytes, rest?.scratchpadBytes ?? 0) }

    private func chunks(_ body: (OneDNNWinogradChunk, _ first: Int) -> Void) {
        let c = full.shape.batch
        var n = 0
        while n + c <= shape.batch { body(full, n); n += c }
        if let rest, n < shape.batch { body(rest, n) }
    }

    private var inputImage: Int { shape.height * shape.width * shape.channels }
    private var outputImage: Int { shape.outHeight * shape.outWidth * shape.outChannels }

    /// Buffers a pass borrows from its caller.
    public struct Buffers {
        public var a: UnsafeMutableRawPointer, b: UnsafeMutableRawPointer
        public var weight: UnsafeMutableRawPointer, scratchpad: UnsafeMutableRawPointer?
        public init(a: UnsafeMutableRawPointer, b: UnsafeMutableRawPointer, weight: UnsafeMutableRawPointer, scratchpad: UnsafeMutableRawPointer?) {
            self.a = a; self.b = b; self.weight = weight; self.scratchpad = scratchpad
        }
    }

    /// y = conv(x, weight), NHWC, the whole batch.
    public func forward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, buffers u: Buffers) {
        run(.forward, x, weight, y, inputStride: inputImage, outputStride: outputImage, u)
    }

    /// dx (overwritten) from dy, the whole batch.
    public func inputGradient(dy: UnsafePointer<Float>, weight: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, buffers u: Buffers) {
        run(.inputGradient, dy, weight, dx, inputStride: outputImage, outputStride: inputImage, u)
    }

    /// One pass chunk by chunk. The weight is reordered once for the full chunks and again for a
    /// smaller last chunk (its kernel may block the weight differently).
    private func run(_ pass: OneDNNWinogradChunk.Pass, _ input: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
                     _ output: UnsafeMutablePointer<Float>, inputStride: Int, outputStride: Int, _ u: Buffers) {
        var prepared: (OneDNNWinogradChunk, UnsafeRawPointer)?
        chunks { p, n in
            if prepared?.0 !== p { prepared = (p, p.prepareWeights(pass, weight, into: u.weight, scratchpad: u.scratchpad)) }
            p.run(pass, from: input + n * inputStride, weights: prepared!.1, to: output + n * outputStride,
                  a: u.a, b: u.b, scratchpad: u.scratchpad)
        }
    }

    /// dw += the weight gradient over the batch, chunk by chunk in order.
    public func weightGradient(x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dw: UnsafeMutablePointer<Float>, buffers u: Buffers) {
        chunks { p, n in
            p.weightGradient(x: x + n * inputImage, dy: dy + n * outputImage, dw: dw, gradient: u.weight,
                             a: u.a, b: u.b, scratchpad: u.scratchpad)
        }
    }
}
