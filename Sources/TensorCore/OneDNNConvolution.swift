import CDNNL

// Shapes: x [N, H, W, C] (NHWC: oneDNN's `nhwc` tag over its logical N, C, H, W), weight
// [OC, C, KH, KW] (PyTorch's layout = oneDNN's `oihw`), bias [OC], y [N, OH, OW, OC].
//
// Each primitive is created once per layer shape with `format_tag_any` weights, so oneDNN
// picks the blocked layout its JIT kernel for this ISA reads; the PyTorch-layout weight is
// reordered into it (a buffer the caller owns: per step in training, cached at inference).
// Activations are never reordered: a primitive given plain `nhwc` activations that its JIT
// kernels cannot take silently falls back to a `ref:` kernel, which `implementation` shows.

/// One convolution's geometry at one batch size and input size.
public struct OneDNNConvolutionShape: Hashable, Sendable, CustomStringConvertible {
    public var batch: Int, channels: Int, height: Int, width: Int
    public var outChannels: Int, kernel: Int, stride: Int, padding: Int
    public var hasBias: Bool

    public init(batch: Int, channels: Int, height: Int, width: Int, outChannels: Int,
                kernel: Int, stride: Int, padding: Int, hasBias: Bool) {
        self.batch = batch; self.channels = channels; self.height = height; self.width = width
        self.outChannels = outChannels; self.kernel = kernel; self.stride = stride; self.padding = padding
        self.hasBias = hasBias
    }

    public var outHeight: Int { (height + 2 * padding - kernel) / stride + 1 }
    public var outWidth: Int { (width + 2 * padding - kernel) / stride + 1 }

    public var description: String {
        "\(channels)->\(outChannels) \(kernel)x\(kernel)/\(stride) pad \(padding) at \(height)x\(width), batch \(batch)\(hasBias ? ", bias" : "")"
    }

    var sourceDims: [Int] { [batch, channels, height, width] }
    var destinationDims: [Int] { [batch, outChannels, outHeight, outWidth] }
    var weightDims: [Int] { [outChannels, channels, kernel, kernel] }
    var strides: [Int64] { [Int64(stride), Int64(stride)] }
    /// Right padding as oneDNN wants it: whatever makes (H + PL + PR - K) / S + 1 = OH exactly.
    var paddingRight: [Int64] {
        [Int64((outHeight - 1) * stride + kernel - height - padding), Int64((outWidth - 1) * stride + kernel - width - padding)]
    }
    var paddingLeft: [Int64] { [Int64(padding), Int64(padding)] }

    func memory(_ dims: [Int], _ tag: dnnl_format_tag_t, _ layer: String) -> dnnl_memory_desc_t {
        OneDNN.descriptor(dims, tag, "\(layer) (\(self))")
    }
}

/// What a forward convolution applies to its output in the same pass (oneDNN post-ops):
/// `y = relu?((conv + bias)·scale + shift + residual?)`, scale and shift per output channel.
public struct OneDNNPostOps: Hashable, Sendable {
    public var scaleShift: Bool, residual: Bool, relu: Bool
    public init(scaleShift: Bool = false, residual: Bool = false, relu: Bool = false) {
        self.scaleShift = scaleShift; self.residual = residual; self.relu = relu
    }
    public static let none = OneDNNPostOps()
}

/// A forward convolution primitive for one shape (training or inference, with post-ops).
public final class OneDNNConvolutionForward {
    public let shape: OneDNNConvolutionShape
    public let postOps: OneDNNPostOps
    let primitive: OneDNNPrimitive
    private let src: OneDNNMemory, weights: OneDNNMemory, dst: OneDNNMemory
    private let bias: OneDNNMemory?
    private let scale: OneDNNMemory?, shift: OneDNNMemory?, residual: OneDNNMemory?
    /// From PyTorch's layout to the primitive's; nil when the primitive reads `oihw` as is.
    private let weightReorder: OneDNNReorder?

    public init(_ shape: OneDNNConvolutionShape, training: Bool, postOps: OneDNNPostOps = .none, layer: String) {
        self.shape = shape; self.postOps = postOps
        let what = "\(layer) forward (\(shape))"
        let srcMD = shape.memory(shape.sourceDims, dnnl_nhwc, layer)
        let dstMD = shape.memory(shape.destinationDims, dnnl_nhwc, layer)
        var anyWeights = shape.memory(shape.weightDims, dnnl_format_tag_any, layer)
        var biasMD = shape.memory([shape.outChannels], dnnl_x, layer)
        var s = srcMD, d = dstMD
        var desc = dnnl_convolution_desc_t()
        let strides = shape.strides, pl = shape.paddingLeft, pr = shape.paddingRight
        OneDNN.check(withUnsafePointer(to: &biasMD) { b in
            dnnl_convolution_forward_desc_init(&desc, training ? dnnl_forward_training : dnnl_forward_inference,
                                               dnnl_convolution_direct, &s, &anyWeights, shape.hasBias ? b : nil, &d,
                                               strides, pl, pr)
        }, "\(what): descriptor")

        // Post-ops: binary multiply and add by per-channel [1, OC, 1, 1] tensors, a binary add of
        // a full nhwc tensor (the shortcut), then ReLU.
        var ops: dnnl_post_ops_t?
        let perChannel = shape.memory([1, shape.outChannels, 1, 1], dnnl_nhwc, layer)
        if postOps != .none {
            OneDNN.check(dnnl_post_ops_create(&ops), "\(what): post-ops")
            var pc = perChannel, full = dstMD
            if postOps.scaleShift {
                OneDNN.check(dnnl_post_ops_append_binary(ops, dnnl_binary_mul, &pc), "\(what): scale post-op")
                OneDNN.check(dnnl_post_ops_append_binary(ops, dnnl_binary_add, &pc), "\(what): shift post-op")
            }
            if postOps.residual {
                OneDNN.check(dnnl_post_ops_append_binary(ops, dnnl_binary_add, &full), "\(what): residual post-op")
            }
            if postOps.relu {
                OneDNN.check(dnnl_post_ops_append_eltwise(ops, 1, dnnl_eltwise_relu, 0, 0), "\(what): ReLU post-op")
            }
        }
        let attr = OneDNNPrimitive.attributes(postOps: ops, what)
        defer { dnnl_primitive_attr_destroy(attr); if let ops { dnnl_post_ops_destroy(ops) } }
        var pd: dnnl_primitive_desc_t?
        OneDNN.check(dnnl_primitive_desc_create(&pd, &desc, attr, OneDNN.shared.engine, nil), "\(what): primitive descriptor")
        primitive = OneDNNPrimitive(descriptor: pd!, what)

        src = OneDNNMemory(srcMD, what); dst = OneDNNMemory(dstMD, what)
        let chosen = primitive.memoryDescriptor(dnnl_query_weights_md)
        weights = OneDNNMemory(chosen, what)
        bias = shape.hasBias ? OneDNNMemory(biasMD, what) : nil
        scale = postOps.scaleShift ? OneDNNMemory(perChannel, what) : nil
        shift = postOps.scaleShift ? OneDNNMemory(perChannel, what) : nil
        residual = postOps.residual ? OneDNNMemory(dstMD, what) : nil
        let plain = shape.memory(shape.weightDims, dnnl_oihw, layer)
        weightReorder = weights.equals(plain) ? nil : OneDNNReorder(from: plain, to: chosen, "\(what): weight reorder")
    }

    /// The implementation oneDNN picked (e.g. "brg:avx512_core", "jit:avx2"; "ref:any" is the slow fallback).
    public var implementation: String { primitive.implementation }

    /// Whether `other` reads its weight in the same layout (so one prepared weight serves both).
    public func readsWeightsLike(_ other: OneDNNConvolutionForward) -> Bool { weights.equals(other.weights.descriptor) }

    /// Bytes of the weight in the primitive's layout; 0 when it reads PyTorch's layout in place.
    public var preparedWeightBytes: Int { weightReorder == nil ? 0 : weights.bytes }

    /// Scratchpad bytes `forward` and `prepareWeights` need.
    public var scratchpadBytes: Int { max(primitive.scratchpadBytes, weightReorder?.primitive.scratchpadBytes ?? 0) }

    /// Writes the PyTorch-layout `weight` in the primitive's layout into `prepared`
    /// (`preparedWeightBytes` bytes). Nothing to do when `preparedWeightBytes` is 0.
    public func prepareWeights(_ weight: UnsafePointer<Float>, into prepared: UnsafeMutableRawPointer, scratchpad: UnsafeMutableRawPointer?) {
        weightReorder?.execute(from: weight, to: prepared, scratchpad: scratchpad)
    }

    /// y from x. `weights` is the prepared weight, or PyTorch's layout when `preparedWeightBytes` is 0.
    /// `scale`, `shift` ([OC]) and `residual` (y's shape) as the post-ops ask.
    public func execute(x: UnsafePointer<Float>, weights w: UnsafeRawPointer, bias b: UnsafePointer<Float>?,
                        scale sc: UnsafePointer<Float>? = nil, shift sh: UnsafePointer<Float>? = nil,
                        residual res: UnsafePointer<Float>? = nil,
                        y: UnsafeMutablePointer<Float>, scratchpad: UnsafeMutableRawPointer?) {
        let what = primitive.what
        var args: [(Int32, dnnl_memory_t)] = [
            (Int32(DNNL_ARG_SRC), src.bind(x, what)),
            (Int32(DNNL_ARG_WEIGHTS), weights.bind(w, what)),
            (Int32(DNNL_ARG_DST), dst.bind(y, what)),
        ]
        if let bias {
            guard let b else { fatalError("oneDNN: \(what): no bias given") }
            args.append((Int32(DNNL_ARG_BIAS), bias.bind(b, what)))
        }
        var index: Int32 = 0
        func postOp(_ m: OneDNNMemory, _ p: UnsafeRawPointer?) {
            guard let p else { fatalError("oneDNN: \(what): post-op \(index) has no tensor") }
            // DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) | DNNL_ARG_SRC_1
            args.append(((Int32(DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE) * (index + 1)) | Int32(DNNL_ARG_SRC_1), m.bind(p, what)))
            index += 1
        }
        if let scale, let shift { postOp(scale, sc); postOp(shift, sh) }
        if let residual { postOp(residual, res) }
        primitive.addScratchpad(scratchpad, to: &args)
        primitive.execute(args)
    }
}

/// The two backward primitives of a convolution for one shape: the input gradient and the
/// weight gradient, each with the weight layout it asks for.
public final class OneDNNConvolutionBackward {
    public let shape: OneDNNConvolutionShape
    private let layer: String
    private let hint: dnnl_primitive_desc_t
    private let plainWeights: dnnl_memory_desc_t

    public init(_ shape: OneDNNConvolutionShape, layer: String) {
        self.shape = shape; self.layer = layer
        // oneDNN derives backward implementations from a forward-training descriptor (the hint).
        let what = "\(layer) backward hint (\(shape))"
        var s = shape.memory(shape.sourceDims, dnnl_nhwc, layer), d = shape.memory(shape.destinationDims, dnnl_nhwc, layer)
        var w = shape.memory(shape.weightDims, dnnl_format_tag_any, layer)
        var desc = dnnl_convolution_desc_t()
        OneDNN.check(dnnl_convolution_forward_desc_init(&desc, dnnl_forward_training, dnnl_convolution_direct, &s, &w, nil, &d,
                                                        shape.strides, shape.paddingLeft, shape.paddingRight), "\(what): descriptor")
        var pd: dnnl_primitive_desc_t?
        OneDNN.check(dnnl_primitive_desc_create(&pd, &desc, nil, OneDNN.shared.engine, nil), "\(what): primitive descriptor")
        hint = pd!
        plainWeights = shape.memory(shape.weightDims, dnnl_oihw, layer)
    }

    deinit { dnnl_primitive_desc_destroy(hint) }

    /// dx from dy and the weight.
    public private(set) lazy var inputGradient = OneDNNConvolutionInputGradient(shape, hint: hint, plainWeights: plainWeights, layer: layer)
    /// dW (accumulated) from x and dy.
    public private(set) lazy var weightGradient = OneDNNConvolutionWeightGradient(shape, hint: hint, plainWeights: plainWeights, layer: layer)
}

/// Backward-data: dx [N, H, W, C] = convolution-transpose of dy with the weight.
public final class OneDNNConvolutionInputGradient {
    let primitive: OneDNNPrimitive
    private let diffSrc: OneDNNMemory, weights: OneDNNMemory, diffDst: OneDNNMemory
    private let weightReorder: OneDNNReorder?

    init(_ shape: OneDNNConvolutionShape, hint: dnnl_primitive_desc_t, plainWeights: dnnl_memory_desc_t, layer: String) {
        let what = "\(layer) input gradient (\(shape))"
        var s = shape.memory(shape.sourceDims, dnnl_nhwc, layer), d = shape.memory(shape.destinationDims, dnnl_nhwc, layer)
        var w = shape.memory(shape.weightDims, dnnl_format_tag_any, layer)
        var desc = dnnl_convolution_desc_t()
        OneDNN.check(dnnl_convolution_backward_data_desc_init(&desc, dnnl_convolution_direct, &s, &w, &d,
                                                              shape.strides, shape.paddingLeft, shape.paddingRight), "\(what): descriptor")
        let attr = OneDNNPrimitive.attributes(postOps: nil, what)
        defer { dnnl_primitive_attr_destroy(attr) }
        var pd: dnnl_primitive_desc_t?
        OneDNN.check(dnnl_primitive_desc_create(&pd, &desc, attr, OneDNN.shared.engine, hint), "\(what): primitive descriptor")
        primitive = OneDNNPrimitive(descriptor: pd!, what)
        diffSrc = OneDNNMemory(s, what); diffDst = OneDNNMemory(d, what)
        let chosen = primitive.memoryDescriptor(dnnl_query_weights_md)
        weights = OneDNNMemory(chosen, what)
        weightReorder = weights.equals(plainWeights) ? nil : OneDNNReorder(from: plainWeights, to: chosen, "\(what): weight reorder")
    }

    public var implementation: String { primitive.implementation }
    public var preparedWeightBytes: Int { weightReorder == nil ? 0 : weights.bytes }
    public var scratchpadBytes: Int { max(primitive.scratchpadBytes, weightReorder?.primitive.scratchpadBytes ?? 0) }

    /// Overwrites `dx` with the input gradient. `prepared` holds `preparedWeightBytes` bytes for
    /// the reordered weight (unused when 0).
    public func execute(dy: UnsafePointer<Float>, weight: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                        prepared: UnsafeMutableRawPointer?, scratchpad: UnsafeMutableRawPointer?) {
        let what = primitive.what
        var w = UnsafeRawPointer(weight)
        if let weightReorder {
            guard let prepared else { fatalError("oneDNN: \(what): no buffer for the reordered weight") }
            weightReorder.execute(from: weight, to: prepared, scratchpad: scratchpad)
            w = UnsafeRawPointer(prepared)
        }
        primitive.run([OneDNNBinding(Int32(DNNL_ARG_DIFF_DST), diffDst, dy), OneDNNBinding(Int32(DNNL_ARG_WEIGHTS), weights, w),
                       OneDNNBinding(Int32(DNNL_ARG_DIFF_SRC), diffSrc, dx)], scratchpad: scratchpad)
    }
}

/// Backward-weights: dW [OC, C, KH, KW] += the correlation of x with dy, over the batch.
public final class OneDNNConvolutionWeightGradient {
    let primitive: OneDNNPrimitive
    private let src: OneDNNMemory, diffWeights: OneDNNMemory, diffDst: OneDNNMemory
    /// From the primitive's layout into PyTorch's, adding to what is there.
    private let accumulate: OneDNNReorder

    init(_ shape: OneDNNConvolutionShape, hint: dnnl_primitive_desc_t, plainWeights: dnnl_memory_desc_t, layer: String) {
        let what = "\(layer) weight gradient (\(shape))"
        var s = shape.memory(shape.sourceDims, dnnl_nhwc, layer), d = shape.memory(shape.destinationDims, dnnl_nhwc, layer)
        var w = shape.memory(shape.weightDims, dnnl_format_tag_any, layer)
        var desc = dnnl_convolution_desc_t()
        OneDNN.check(dnnl_convolution_backward_weights_desc_init(&desc, dnnl_convolution_direct, &s, &w, nil, &d,
                                                                 shape.strides, shape.paddingLeft, shape.paddingRight), "\(what): descriptor")
        let attr = OneDNNPrimitive.attributes(postOps: nil, what)
        defer { dnnl_primitive_attr_destroy(attr) }
        var pd: dnnl_primitive_desc_t?
        OneDNN.check(dnnl_primitive_desc_create(&pd, &desc, attr, OneDNN.shared.engine, hint), "\(what): primitive descriptor")
        primitive = OneDNNPrimitive(descriptor: pd!, what)
        src = OneDNNMemory(s, what); diffDst = OneDNNMemory(d, what)
        let chosen = primitive.memoryDescriptor(dnnl_query_diff_weights_md)
        diffWeights = OneDNNMemory(chosen, what)
        accumulate = OneDNNReorder(from: chosen, to: plainWeights, accumulate: true, "\(what): accumulating reorder")
    }

    public var implementation: String { primitive.implementation }
    /// Bytes of the gradient in the primitive's layout (a buffer `execute` writes before adding it to dW).
    public var gradientBytes: Int { diffWeights.bytes }
    public var scratchpadBytes: Int { max(primitive.scratchpadBytes, accumulate.primitive.scratchpadBytes) }

    /// `dw += ∂L/∂W` in PyTorch's layout; `gradient` holds `gradientBytes` bytes.
    public func execute(x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dw: UnsafeMutablePointer<Float>,
                        gradient: UnsafeMutableRawPointer, scratchpad: UnsafeMutableRawPointer?) {
        primitive.run([OneDNNBinding(Int32(DNNL_ARG_SRC), src, x), OneDNNBinding(Int32(DNNL_ARG_DIFF_DST), diffDst, dy),
                       OneDNNBinding(Int32(DNNL_ARG_DIFF_WEIGHTS), diffWeights, gradient)], scratchpad: scratchpad)
        accumulate.execute(from: gradient, to: dw, scratchpad: scratchpad)
    }
}
