import TensorCore
import LoupeBase

// Shapes: x [N, H, W, C] (NHWC), weight [OC, C, KH, KW] (PyTorch's layout), y [N, OH, OW, OC].
//   forward   y   = conv(x, W) (+ bias)
//   backward  dW += corr(x, dy), db += Σ dy, dx = convᵀ(dy, W)
// All three run as oneDNN primitives (TensorCore's `OneDNNConvolution*`), created once per
// input shape and kept. Each asks for the weight layout its JIT kernel reads: in training the
// PyTorch-layout weight is reordered into it once per pass (forward, input gradient) into the
// workspace; at inference the reordered weight is kept per layer and rebuilt when the arena's
// `version` moved (every path that writes weights bumps it) or a training forward ran.

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

/// 2-D convolution through oneDNN.
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

    private var input: Tensor?
    public let output = Tensor(shape: [0])
    private let inputGrad = Tensor(shape: [0])

    /// Primitives by shape: training forwards, inference forwards (by post-ops), backward pairs.
    private var trainingForwards: [OneDNNConvolutionShape: OneDNNConvolutionForward] = [:]
    private var inferenceForwards: [InferenceKey: OneDNNConvolutionForward] = [:]
    private var backwards: [OneDNNConvolutionShape: OneDNNConvolutionBackward] = [:]
    /// Winograd training passes by shape (nil: the shape stays on the direct kernels).
    private var winograds: [OneDNNConvolutionShape: OneDNNWinogradConvolution?] = [:]
    private struct InferenceKey: Hashable { var shape: OneDNNConvolutionShape, postOps: OneDNNPostOps }
    /// The weight in an inference primitive's layout, valid while `arena.version` equals
    /// `preparedVersion` and the layout is the one `preparedFor` asked for.
    private var prepared = RawScratch()
    private var preparedVersion: UInt64?
    private var preparedFor: InferenceKey?
    /// Winograd inference passes by shape and post-ops (nil: the direct kernels), and the
    /// folded weight they share, valid for the arena version and BatchNorm it was folded from.
    private var inferenceWinograds: [InferenceKey: OneDNNWinogradInference?] = [:]
    private let winogradWeights = OneDNNWinogradWeights()
    private var winogradFoldedFrom: (version: UInt64, scale: [Float], shift: [Float])?
    /// Loupe's own Winograd passes by shape (TensorCore's `WinogradPolicy`: AVX2 CPUs, where
    /// oneDNN has none), and at inference their folded, transformed weight and folded bias.
    private var ownWinograds: [OneDNNConvolutionShape: WinogradConvolution?] = [:]
    private var ownFolded = RawScratch()
    private var ownFoldedBias: [Float] = []
    private var ownFoldedFrom: (version: UInt64, scale: [Float], shift: [Float])?

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
        arena.didWrite()
    }

    /// The oneDNN shape of this layer for input `x`.
    public func shape(for x: Tensor) -> OneDNNConvolutionShape { shape(for: x.shape) }

    func shape(for x: [Int]) -> OneDNNConvolutionShape {
        precondition(x.count == 4 && x[3] == inChannels,
                     "\(name): expected NHWC input with \(inChannels) channels, got \(x)")
        let s = OneDNNConvolutionShape(batch: x[0], channels: inChannels, height: x[1], width: x[2],
                                       outChannels: outChannels, kernel: kernel, stride: stride, padding: padding,
                                       hasBias: biasOffset != nil)
        precondition(s.outHeight > 0 && s.outWidth > 0, "\(name): input \(x[1])x\(x[2]) is smaller than the \(kernel)x\(kernel) kernel")
        return s
    }

    private var bias: UnsafePointer<Float>? { biasOffset.map { UnsafePointer(arena.values + $0) } }
    private var weight: UnsafePointer<Float> { UnsafePointer(arena.values + weightOffset) }

    /// The training forward primitive for a shape (also what `implementations` reports).
    func trainingForward(_ s: OneDNNConvolutionShape) -> OneDNNConvolutionForward {
        if let p = trainingForwards[s] { return p }
        let p = OneDNNConvolutionForward(s, training: true, layer: name)
        trainingForwards[s] = p
        return p
    }

    /// The Winograd passes for a training shape, when oneDNN has them on this CPU (TensorCore's
    /// `OneDNNWinogradPolicy`: 3x3, stride 1, channels in sixteens, AVX-512).
    func winograd(_ s: OneDNNConvolutionShape) -> OneDNNWinogradConvolution? {
        if let w = winograds[s] { return w }
        let w = OneDNNWinogradConvolution(s, layer: name)
        winograds[s] = w
        return w
    }

    /// Loupe's own Winograd passes for a shape, when `WinogradPolicy` takes it.
    func ownWinograd(_ s: OneDNNConvolutionShape) -> WinogradConvolution? {
        if let w = ownWinograds[s] { return w }
        let w = WinogradConvolution(s)
        ownWinograds[s] = w
        return w
    }

    func backwardPair(_ s: OneDNNConvolutionShape) -> OneDNNConvolutionBackward {
        if let p = backwards[s] { return p }
        let p = OneDNNConvolutionBackward(s, layer: name)
        backwards[s] = p
        return p
    }

    /// Training forward: `y = conv(x) + bias`, the weight reordered for this call.
    public func forward(_ x: Tensor) -> Tensor {
        input = x
        lastInputShape = x.shape
        preparedVersion = nil   // a training step follows: the weights are about to change
        winogradFoldedFrom = nil
        ownFoldedFrom = nil
        let s = shape(for: x)
        output.resize(to: [s.batch, s.outHeight, s.outWidth, outChannels])
        if let own = ownWinograd(s) {
            let u = workspace.weights(bytes: own.weightBytes)
            own.prepareForward(weight: weight, into: u)
            own.forward(x: x.data, prepared: u, bias: bias, y: output.data, work: workspace.winogradWork(bytes: own.passWorkBytes))
            return output
        }
        if let wino = winograd(s) {
            wino.forward(x: x.data, weight: weight, y: output.data, buffers: workspace.winogradBuffers(wino))
            return output
        }
        let p = trainingForward(s)
        let scratch = workspace.scratchpad(p.scratchpadBytes)
        var w = UnsafeRawPointer(weight)
        if p.preparedWeightBytes > 0 {
            let buffer = workspace.weights(bytes: p.preparedWeightBytes)
            p.prepareWeights(weight, into: buffer, scratchpad: scratch)
            w = UnsafeRawPointer(buffer)
        }
        p.execute(x: x.data, weights: w, bias: bias, y: output.data, scratchpad: scratch)
        return output
    }

    /// Inference forward with a per-output-channel affine map, residual and ReLU applied by
    /// oneDNN's post-ops (`y = relu?((conv + bias)·scale + shift + residual?)`): a convolution
    /// followed by an eval-mode BatchNorm. `epilogue: nil` is the training forward.
    public func forward(_ x: Tensor, epilogue: ConvEpilogue?) -> Tensor {
        guard let e = epilogue else { return forward(x) }
        input = x
        lastInputShape = x.shape
        let s = shape(for: x)
        let oc = outChannels
        precondition(e.scale.count == oc && e.shift.count == oc, "\(name): epilogue for \(e.scale.count) channels, layer has \(oc)")
        output.resize(to: [s.batch, s.outHeight, s.outWidth, oc])
        precondition(e.residual.map { $0.shape == output.shape } ?? true, "\(name): residual \(e.residual?.shape ?? []) vs output \(output.shape)")
        if let own = ownWinograd(s) {
            forwardByOwnWinograd(own, x, e)
            return output
        }
        let key = InferenceKey(shape: s, postOps: OneDNNPostOps(scaleShift: true, residual: e.residual != nil, relu: e.relu))
        if let wino = inferenceWinograd(key) {
            forwardByWinograd(wino, x, e)
            return output
        }
        let p: OneDNNConvolutionForward
        if let q = inferenceForwards[key] { p = q } else {
            p = OneDNNConvolutionForward(s, training: false, postOps: key.postOps, layer: name)
            inferenceForwards[key] = p
        }
        let scratch = workspace.scratchpad(p.scratchpadBytes)
        var w = UnsafeRawPointer(weight)
        if p.preparedWeightBytes > 0 {
            // Primitives of one layer at different batch sizes may want different layouts.
            if preparedVersion != arena.version || preparedFor.map({ !sameWeightLayout($0, key) }) ?? true {
                let buffer = prepared.reserve(p.preparedWeightBytes)
                p.prepareWeights(weight, into: buffer, scratchpad: scratch)
                preparedVersion = arena.version
                preparedFor = key
            }
            w = UnsafeRawPointer(prepared.pointer)
        }
        e.scale.withUnsafeBufferPointer { sc in e.shift.withUnsafeBufferPointer { sh in
            p.execute(x: x.data, weights: w, bias: bias, scale: sc.baseAddress!, shift: sh.baseAddress!,
                      residual: e.residual.map { UnsafePointer($0.data) }, y: output.data, scratchpad: scratch)
        } }
        return output
    }

    /// The Winograd inference pass for a shape and post-ops, when oneDNN has one on this CPU
    /// (TensorCore's `OneDNNWinogradInferencePolicy`: 3x3, stride 1, 64+ channels, AVX-512).
    private func inferenceWinograd(_ key: InferenceKey) -> OneDNNWinogradInference? {
        if let w = inferenceWinograds[key] { return w }
        let w = OneDNNWinogradInference(key.shape, relu: key.postOps.relu, residual: key.postOps.residual, layer: name)
        inferenceWinograds[key] = w
        return w
    }

    /// `output` by Winograd with the BatchNorm folded into the weight and bias (refolded when
    /// the weights or the BatchNorm changed since the last fold).
    private func forwardByWinograd(_ wino: OneDNNWinogradInference, _ x: Tensor, _ e: ConvEpilogue) {
        if let f = winogradFoldedFrom, f.version == arena.version, f.scale == e.scale, f.shift == e.shift {} else {
            winogradWeights.invalidate()
            winogradFoldedFrom = (arena.version, e.scale, e.shift)
        }
        let (a, b) = workspace.blocked(bytes: wino.blockedBytes)
        let scratch = workspace.scratchpad(wino.scratchpadBytes)
        e.scale.withUnsafeBufferPointer { sc in e.shift.withUnsafeBufferPointer { sh in
            wino.execute(x: x.data, residual: e.residual.map { UnsafePointer($0.data) }, y: output.data,
                         folding: OneDNNWinogradFolding(weight: weight, bias: bias, scale: sc.baseAddress!, shift: sh.baseAddress!),
                         prepared: winogradWeights, a: a, b: b, scratchpad: scratch)
        } }
    }

    /// `output` by Loupe's own Winograd kernels with the BatchNorm folded into the transformed
    /// weight and the bias (refolded when the weights or the BatchNorm changed since the last fold).
    private func forwardByOwnWinograd(_ own: WinogradConvolution, _ x: Tensor, _ e: ConvEpilogue) {
        if let f = ownFoldedFrom, f.version == arena.version, f.scale == e.scale, f.shift == e.shift {} else {
            let u = ownFolded.reserve(own.weightBytes)
            e.scale.withUnsafeBufferPointer { own.prepareForward(weight: weight, scale: $0.baseAddress!, into: u) }
            ownFoldedBias = (0..<outChannels).map { o in (bias?[o] ?? 0) * e.scale[o] + e.shift[o] }
            ownFoldedFrom = (arena.version, e.scale, e.shift)
        }
        ownFoldedBias.withUnsafeBufferPointer { b in
            own.forward(x: x.data, prepared: ownFolded.pointer, bias: b.baseAddress!, residual: e.residual.map { UnsafePointer($0.data) },
                        relu: e.relu, y: output.data, work: workspace.winogradWork(bytes: own.passWorkBytes))
        }
    }

    /// Whether the weight prepared for `a` is laid out as `b` reads it.
    private func sameWeightLayout(_ a: InferenceKey, _ b: InferenceKey) -> Bool {
        a == b || (inferenceForwards[a].map { inferenceForwards[b]!.readsWeightsLike($0) } ?? false)
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
    /// block's dy, `mask` = its output), all of x's shape.
    @discardableResult
    public func backward(_ dy: Tensor, into inputGrad: Tensor, addingResidual residual: Tensor, where mask: Tensor) -> Tensor {
        precondition(needsInputGradient, "\(name): a residual gradient needs the input gradient")
        return backward(dy, into: inputGrad, residual: (residual, mask))!
    }

    /// As `backward(_:into:)`, then `dx += residual` (a shortcut gradient already masked by the
    /// block's final ReLU, see `BatchNorm2D.backward(_:reluOutput:into:maskInPlace:)`).
    @discardableResult
    public func backward(_ dy: Tensor, into inputGrad: Tensor, adding residual: Tensor) -> Tensor {
        precondition(needsInputGradient, "\(name): a residual gradient needs the input gradient")
        return backward(dy, into: inputGrad, residual: (residual, nil))!
    }

    private func backward(_ dy: Tensor, into inputGrad: Tensor, residual: (add: Tensor, mask: Tensor?)?) -> Tensor? {
        guard let x = input else { preconditionFailure("\(name): backward before forward") }
        let s = shape(for: x)
        let oc = outChannels, rows = s.batch * s.outHeight * s.outWidth
        precondition(dy.shape == [s.batch, s.outHeight, s.outWidth, oc], "\(name): dy \(dy.shape) for output \(output.shape)")
        if trainable, let bo = biasOffset {
            let sums = columnReduce(rows: rows, cols: oc, segment: s.outHeight * s.outWidth) { span, acc in for r in span {
                let row = dy.data + r * oc
                for c in 0..<oc { acc[c] += row[c] }
            } }
            let db = arena.grads + bo
            for c in 0..<oc { db[c] += Float(sums[c]) }
        }
        guard trainable || needsInputGradient else { return nil }
        if let own = ownWinograd(s) {
            if trainable {
                if own.takesWeightGradient {
                    own.weightGradient(x: x.data, dy: dy.data, dw: arena.grads + weightOffset,
                                       work: workspace.winogradGradientWork(bytes: own.gradientWorkBytes))
                } else {
                    directWeightGradient(x, dy, s)
                }
            }
            guard needsInputGradient else { return nil }
            inputGrad.resize(to: x.shape)
            let u = workspace.weights(bytes: own.weightBytes)
            own.prepareInputGradient(weight: weight, into: u)
            own.inputGradient(dy: dy.data, prepared: u, dx: inputGrad.data, work: workspace.winogradWork(bytes: own.passWorkBytes))
            addResidual(residual, to: inputGrad)
            return inputGrad
        }
        if let wino = winograd(s) {
            let buffers = workspace.winogradBuffers(wino)
            if trainable { wino.weightGradient(x: x.data, dy: dy.data, dw: arena.grads + weightOffset, buffers: buffers) }
            guard needsInputGradient else { return nil }
            inputGrad.resize(to: x.shape)
            wino.inputGradient(dy: dy.data, weight: weight, dx: inputGrad.data, buffers: buffers)
            addResidual(residual, to: inputGrad)
            return inputGrad
        }
        let pair = backwardPair(s)
        if trainable { directWeightGradient(x, dy, s) }
        guard needsInputGradient else { return nil }
        inputGrad.resize(to: x.shape)
        let p = pair.inputGradient
        let scratch = workspace.scratchpad(p.scratchpadBytes)
        p.execute(dy: dy.data, weight: weight, dx: inputGrad.data,
                  prepared: p.preparedWeightBytes > 0 ? workspace.weights(bytes: p.preparedWeightBytes) : nil, scratchpad: scratch)
        addResidual(residual, to: inputGrad)
        return inputGrad
    }

    /// dw += the weight gradient by oneDNN's direct kernels.
    private func directWeightGradient(_ x: Tensor, _ dy: Tensor, _ s: OneDNNConvolutionShape) {
        var source = UnsafePointer(x.data)
        if let unit = unitStrideShape(s) {
            let sub = workspace.subsampled(count: unit.batch * unit.height * unit.width * inChannels)
            subsample(x, into: sub, s)
            source = UnsafePointer(sub)
        }
        let p = backwardPair(unitStrideShape(s) ?? s).weightGradient
        let scratch = workspace.scratchpad(p.scratchpadBytes)
        p.execute(x: source, dy: dy.data, dw: arena.grads + weightOffset,
                  gradient: workspace.weightGradient(bytes: p.gradientBytes), scratchpad: scratch)
    }

    /// For a 1x1 convolution with stride > 1 and no padding, the stride-1 shape on its input
    /// subsampled (what its weight gradient is computed on); nil otherwise.
    ///
    /// oneDNN 2.6.3's `jit_1x1:avx2` weight gradient with a stride (its "reduce to unit stride"
    /// copy of x shared by two threads) now and then returns a wrong dW: seen as 3->4 channels at
    /// 6x6, stride 2, in 1 of 4 to 1 of 12 runs under `DNNL_MAX_CPU_ISA=AVX2` with 2 OpenMP
    /// threads, never with one, always the same wrong values. Taking every stride-th pixel of x
    /// first (a quarter of it at stride 2) and running the stride-1 primitive avoids that path
    /// on every ISA.
    func unitStrideShape(_ s: OneDNNConvolutionShape) -> OneDNNConvolutionShape? {
        guard s.kernel == 1, s.stride > 1, s.padding == 0 else { return nil }
        var u = s
        u.height = s.outHeight; u.width = s.outWidth; u.stride = 1
        return u
    }

    /// Every stride-th pixel of x (rows and columns), NHWC.
    private func subsample(_ x: Tensor, into out: UnsafeMutablePointer<Float>, _ s: OneDNNConvolutionShape) {
        let c = inChannels, oh = s.outHeight, ow = s.outWidth, st = s.stride, h = s.height, w = s.width
        let src = x.data
        forRanges(s.batch * oh) { span in
            for row in span {
                let n = row / oh, y = row % oh
                for xo in 0..<ow {
                    (out + (row * ow + xo) * c).update(from: src + ((n * h + y * st) * w + xo * st) * c, count: c)
                }
            }
        }
    }

    /// dx += residual, where mask > 0 when there is a mask (see `backward(_:into:addingResidual:where:)`).
    private func addResidual(_ residual: (add: Tensor, mask: Tensor?)?, to inputGrad: Tensor) {
        guard let (add, mask) = residual else { return }
        precondition(add.shape == inputGrad.shape && (mask.map { $0.shape == inputGrad.shape } ?? true),
                     "\(name): residual \(add.shape), mask \(mask?.shape ?? []), input \(inputGrad.shape)")
        if let mask {
            maskedAdd(add.data, where: mask.data, into: inputGrad.data, count: inputGrad.count)
        } else {
            let a = inputGrad.data, d = add.data
            forRanges(inputGrad.count) { span in for i in span { a[i] += d[i] } }
        }
    }

    /// The input shape of the last forward ([N, H, W, C]), nil before any (the input tensor
    /// itself may be a shared buffer that later layers resize).
    public private(set) var lastInputShape: [Int]?

    /// The implementations oneDNN chose for this layer at input [batch, height, width, C]: the
    /// training forward, the input gradient (when needed), the weight gradient and the inference
    /// forward with `inference` post-ops. A name starting with "ref:" is the slow fallback.
    public func implementations(batch: Int, height: Int, width: Int,
                                inference: OneDNNPostOps = OneDNNPostOps(scaleShift: true, relu: true)) -> [(pass: String, implementation: String)] {
        let s = shape(for: [batch, height, width, inChannels])
        if let own = ownWinograd(s) {
            var out = [("forward", WinogradPolicy.implementation)]
            if needsInputGradient { out.append(("input gradient", WinogradPolicy.implementation)) }
            out.append(("weight gradient", own.takesWeightGradient ? WinogradPolicy.implementation
                                                                   : backwardPair(s).weightGradient.implementation))
            out.append(("inference", WinogradPolicy.implementation))
            return out
        }
        if let w = winograd(s) {
            var out = [("forward", w.implementation)]
            if needsInputGradient { out.append(("input gradient", w.inputGradientImplementation)) }
            out.append(("weight gradient", w.weightGradientImplementation))
            out.append(("inference", inferenceImplementation(s, inference)))
            return out
        }
        var out = [("forward", trainingForward(s).implementation)]
        if needsInputGradient { out.append(("input gradient", backwardPair(s).inputGradient.implementation)) }
        out.append(("weight gradient", backwardPair(unitStrideShape(s) ?? s).weightGradient.implementation))
        out.append(("inference", inferenceImplementation(s, inference)))
        return out
    }

    private func inferenceImplementation(_ s: OneDNNConvolutionShape, _ postOps: OneDNNPostOps) -> String {
        OneDNNWinogradInference(s, relu: postOps.relu, residual: postOps.residual, layer: name)?.implementation
            ?? OneDNNConvolutionForward(s, training: false, postOps: postOps, layer: name).implementation
    }
}
