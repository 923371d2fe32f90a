import TensorCore

// Shapes: x, y [N, H, W, C] seen as a matrix [M, C] with M = N*H*W rows.
// Training: mean and biased variance over M; y = γ·x̂ + β with x̂ = (x − mean)·invstd.
//   running_mean ← (1 − momentum)·running_mean + momentum·mean
//   running_var  ← (1 − momentum)·running_var  + momentum·var·M/(M − 1)   (unbiased, as PyTorch)
// Backward (training): with S1 = Σ dy and S2 = Σ dy·x̂ per channel,
//   dβ = S1, dγ = S2, dx = γ·invstd·(dy − S1/M − x̂·S2/M).
// Evaluation (or frozen): y = γ·(x − running_mean)/√(running_var + ε) + β, dx = dy·γ/√(running_var + ε).
// Data-parallel (a communicator): each rank holds some images of the global batch. Σx (with M) is
// summed over the ranks, then Σ(x − mean)² around the global mean, and in backward S1 and S2:
// every rank normalises with the global batch's statistics, as one process on the whole batch.
// The sums' Float chunks never cross an image, so a rank's partial sums are the very numbers one
// process adds for those images; only their Double combination is grouped differently.
// dγ and dβ keep the rank's own S2 and S1: the gradient sum over ranks adds them up.

/// Batch normalisation over the channels of an NHWC tensor.
public final class BatchNorm2D {
    public let channels: Int
    public let name: String
    public let eps: Float = 1e-5
    public let momentum: Float = 0.1
    let arena: ParameterArena
    public let weightOffset: Int, biasOffset: Int
    public var runningMean: [Float]
    public var runningVar: [Float]
    public var batchesTracked: Int64 = 0
    /// A frozen BatchNorm uses its running statistics even in training and learns nothing.
    public var trainable = true
    /// The ranks that share each training batch (nil: this process holds the whole batch).
    public var communicator: Communicator?
    /// Rows of the batch the statistics came from (all ranks' rows when shared).
    private var batchRows = 0

    private var input: Tensor?
    private var usedBatchStatistics = false
    private var mean: [Float] = [], invstd: [Float] = []
    /// The last forward's y = x·scale + shift, kept for `recomputeOutput`.
    private var scale: [Float] = [], shift: [Float] = []
    public let output = Tensor(shape: [0])
    private let inputGrad = Tensor(shape: [0])

    public init(_ name: String, _ channels: Int, arena: ParameterArena) {
        self.name = name
        self.channels = channels
        self.arena = arena
        weightOffset = arena.register("\(name).weight", shape: [channels], role: .normWeight)
        biasOffset = arena.register("\(name).bias", shape: [channels], role: .normBias)
        runningMean = [Float](repeating: 0, count: channels)
        runningVar = [Float](repeating: 1, count: channels)
    }

    public func initialize() {
        (arena.values + weightOffset).update(repeating: 1, count: channels)
        (arena.values + biasOffset).update(repeating: 0, count: channels)
        runningMean = [Float](repeating: 0, count: channels)
        runningVar = [Float](repeating: 1, count: channels)
        batchesTracked = 0
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        forward(x, training: training, residual: nil, relu: false, into: output)
    }

    /// The fused form: `out = relu?(bn(x) + residual?)` in one pass over the data. `out` may be
    /// any tensor the caller owns (it is resized) but `x`; it may be `residual` (each element
    /// is read before the same element is written).
    ///
    /// The input is kept as it is (backward recomputes x̂ = (x − mean)·invstd from it in its
    /// passes, and writing x̂ would cost a store per element); `recomputeOutput` rebuilds a
    /// residual-free output bit for bit, so a caller may keep `out` in shared scratch.
    @discardableResult
    public func forward(_ x: Tensor, training: Bool, residual: Tensor?, relu: Bool, into out: Tensor) -> Tensor {
        precondition(x.shape.last == channels, "\(name): expected \(channels) channels, got \(x.shape)")
        precondition(residual.map { $0.shape == x.shape } ?? true, "\(name): residual \(residual?.shape ?? []) vs input \(x.shape)")
        input = x
        out.resize(to: x.shape)
        let c = channels, m = x.count / c
        usedBatchStatistics = training && trainable
        if usedBatchStatistics {
            let (mf, variance) = batchStatistics(x, rows: m)
            mean = mf
            invstd = variance.map { Float(1 / ($0 + Double(eps)).squareRoot()) }
            let rows = batchRows
            let unbias = rows > 1 ? Double(rows) / Double(rows - 1) : 1
            for j in 0..<c {
                runningMean[j] = (1 - momentum) * runningMean[j] + momentum * mf[j]
                runningVar[j] = (1 - momentum) * runningVar[j] + momentum * Float(variance[j] * unbias)
            }
            batchesTracked += 1
        } else {
            mean = runningMean
            invstd = runningVar.map { 1 / ($0 + eps).squareRoot() }
        }
        // y = x·scale + shift, per channel. (From x, not x̂: large activations then overflow
        // to a non-finite loss, which is how a diverging run is noticed, as in PyTorch.)
        let gamma = arena.values + weightOffset, beta = arena.values + biasOffset
        scale = (0..<c).map { gamma[$0] * invstd[$0] }
        shift = (0..<c).map { beta[$0] - mean[$0] * scale[$0] }
        scale.withUnsafeBufferPointer { sc in shift.withUnsafeBufferPointer { sh in
            NormKernels.affine(x.data, scale: sc.baseAddress!, shift: sh.baseAddress!, residual: residual.map { UnsafePointer($0.data) },
                               relu: relu, rows: m, channels: c, into: out.data)
        } }
        return out
    }

    /// Mean and biased variance of the batch: this process's rows, or every rank's (the same
    /// arithmetic per image either way, `NormKernels.statistics`).
    private func batchStatistics(_ x: Tensor, rows m: Int) -> (mean: [Float], variance: [Double]) {
        let sumOverRanks: ((inout [Double]) -> Void)? = communicator.map { group in
            { v in v.withUnsafeMutableBufferPointer { group.allReduceSum($0.baseAddress!, count: $0.count) } }
        }
        let s = NormKernels.statistics(x.data, rows: m, channels: channels, segment: Self.imageRows(x), sumOverRanks: sumOverRanks)
        batchRows = s.rows
        return (s.mean, s.variance)
    }

    /// Rows of one image of an NHWC tensor (H·W): the reductions' chunks stay within an image.
    static func imageRows(_ x: Tensor) -> Int { x.shape.count == 4 ? x.shape[1] * x.shape[2] : 1 }

    /// Rebuilds the output of the last forward without residual, relu?(x·scale + shift) from
    /// the kept input: the same expression, so the same bits. The input must not have been
    /// overwritten since (by a backward into it).
    public func recomputeOutput(relu: Bool, into out: Tensor) {
        guard let x = input else { preconditionFailure("\(name): no input to recompute from") }
        out.resize(to: x.shape)
        scale.withUnsafeBufferPointer { sc in shift.withUnsafeBufferPointer { sh in
            NormKernels.affine(x.data, scale: sc.baseAddress!, shift: sh.baseAddress!, residual: nil,
                               relu: relu, rows: x.count / channels, channels: channels, into: out.data)
        } }
    }

    /// `recomputeOutput` as row-wise work for another pass's parallel region (see
    /// `backward(_:reluOutput:into:maskInPlace:alongside:)`): resizes `out` now, and the
    /// returned closure fills the rows it is given.
    public func recomputeOutputRows(relu: Bool, into out: Tensor) -> (rows: Int, fill: (Range<Int>) -> Void) {
        guard let x = input else { preconditionFailure("\(name): no input to recompute from") }
        out.resize(to: x.shape)
        let xp = UnsafePointer(x.data), yp = out.data, c = channels
        let sc = scale, sh = shift
        return (x.count / c, { span in
            sc.withUnsafeBufferPointer { scp in sh.withUnsafeBufferPointer { shp in
                NormKernels.affineRows(xp, scale: scp.baseAddress!, shift: shp.baseAddress!, residual: nil, relu: relu, span,
                                       channels: c, into: yp)
            } }
        })
    }

    /// The evaluation-mode map `y = x·scale + shift` from the running statistics, for folding
    /// into the preceding convolution.
    public func inferenceAffine() -> (scale: [Float], shift: [Float]) {
        let gamma = arena.values + weightOffset, beta = arena.values + biasOffset
        let scale = (0..<channels).map { gamma[$0] / (runningVar[$0] + eps).squareRoot() }
        return (scale, (0..<channels).map { beta[$0] - runningMean[$0] * scale[$0] })
    }

    public func backward(_ dy: Tensor) -> Tensor {
        backward(dy, reluOutput: nil, into: inputGrad)
    }

    /// The fused form: back through `relu` (when `reluOutput`, the output of the fused forward,
    /// is given: the gradient passes where it is > 0) and the normalisation, into `dx`.
    /// `dx` may be `dy` itself, or the saved input (each element is read before it is written).
    /// `maskInPlace` (with `reluOutput`): dy is left masked too (the gradient at the ReLU's
    /// input), so a caller that needs it again no longer needs the mask.
    @discardableResult
    /// `alongside`: row-wise work over the same number of rows, run in the input-gradient pass's
    /// parallel region (or its own when the statistics are fixed).
    public func backward(_ dy: Tensor, reluOutput: Tensor?, into dxTensor: Tensor, maskInPlace: Bool = false,
                         alongside: (rows: Int, fill: (Range<Int>) -> Void)? = nil) -> Tensor {
        guard let x = input else { preconditionFailure("\(name): backward before forward") }
        precondition(dy.shape == x.shape && (reluOutput.map { $0.shape == x.shape } ?? true), "\(name): gradient shape \(dy.shape) vs \(x.shape)")
        let c = channels, m = x.count / c
        dxTensor.resize(to: x.shape)
        let gamma = arena.values + weightOffset
        let dx = dxTensor.data
        let (s1, s2) = mean.withUnsafeBufferPointer { mp in invstd.withUnsafeBufferPointer { ip in
            NormKernels.gradientSums(dy.data, mask: reluOutput.map { UnsafePointer($0.data) }, maskInPlace: maskInPlace, x: x.data, mean: mp.baseAddress!, invstd: ip.baseAddress!, rows: m, channels: c, segment: Self.imageRows(x))
        } }
        // dy masked in place: the passes below read it as it is.
        let mask = maskInPlace ? nil : reluOutput.map { UnsafePointer($0.data) }
        if trainable {
            let gg = arena.grads + weightOffset, gb = arena.grads + biasOffset
            for j in 0..<c { gg[j] += Float(s2[j]); gb[j] += Float(s1[j]) }
        }
        precondition(alongside.map { $0.rows == m } ?? true, "\(name): work alongside over \(alongside?.rows ?? 0) rows, not \(m)")
        if !usedBatchStatistics {
            if let alongside { forRowRanges(m, alongside.fill) }
            let k = (0..<c).map { gamma[$0] * invstd[$0] }
            k.withUnsafeBufferPointer { kp in
                NormKernels.scaledGradient(dy.data, mask: mask, k: kp.baseAddress!, rows: m, channels: c, into: dx)
            }
            return dxTensor
        }
        var (batchS1, batchS2) = (s1, s2)
        if let communicator {
            var both = s1 + s2
            both.withUnsafeMutableBufferPointer { communicator.allReduceSum($0.baseAddress!, count: $0.count) }
            batchS1 = Array(both[0..<c]); batchS2 = Array(both[c...])
        }
        let mf = Float(batchRows)
        let a = (0..<c).map { gamma[$0] * invstd[$0] }                         // γ·invstd
        let b = (0..<c).map { Float(batchS1[$0]) / mf }                        // S1/M
        let k = (0..<c).map { Float(batchS2[$0]) / mf }                        // S2/M, multiplies x̂
        mean.withUnsafeBufferPointer { mp in invstd.withUnsafeBufferPointer { ip in
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in k.withUnsafeBufferPointer { kp in
                NormKernels.trainingInputGradient(dy.data, mask: mask, x: x.data, mean: mp.baseAddress!, invstd: ip.baseAddress!,
                                                  a: ap.baseAddress!, b: bp.baseAddress!, k: kp.baseAddress!, rows: m, channels: c, into: dx,
                                                  alongside: alongside?.fill)
            } } }
        } }
        return dxTensor
    }
}
