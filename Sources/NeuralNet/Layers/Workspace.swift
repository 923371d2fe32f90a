import TensorCore

/// Scratch buffers reused by every layer of a model: oneDNN's scratchpad, a weight reordered
/// into a primitive's layout, a weight gradient in a primitive's layout.
///
/// Layers run one after another on the engine thread, so one growing buffer per purpose suffices.
public final class Workspace: @unchecked Sendable {
    private var scratch = RawScratch()
    private var reorderedWeights = RawScratch()
    private var blockedA = RawScratch(), blockedB = RawScratch()
    /// An activation that a block recomputes in backward instead of keeping (a BatchNorm+ReLU
    /// output rebuilt from the BatchNorm's kept input); once its backward is done with it, a
    /// downsampling block's shortcut gradient.
    public let recomputedActivation = Tensor(shape: [0])
    /// Two tensors that carry the gradient from one block to the next down the network: a block
    /// writes its input gradient into the one that is not its `dy` (see `passBuffer(avoiding:)`).
    private let passA = Tensor(shape: [0]), passB = Tensor(shape: [0])

    public init() {}

    /// oneDNN's scratchpad for one primitive call (nil when it needs none); contents unspecified.
    public func scratchpad(_ bytes: Int) -> UnsafeMutableRawPointer? { bytes == 0 ? nil : scratch.reserve(bytes) }

    /// A buffer for a weight reordered into a primitive's layout; contents unspecified.
    public func weights(bytes: Int) -> UnsafeMutableRawPointer { reorderedWeights.reserve(bytes) }

    /// A buffer for a weight gradient in a primitive's layout; contents unspecified. The same
    /// memory as `weights(bytes:)`: a layer's backward computes its weight gradient (and adds it
    /// to dW) before it reorders the weight for its input gradient, so they never overlap.
    public func weightGradient(bytes: Int) -> UnsafeMutableRawPointer { reorderedWeights.reserve(bytes) }

    /// The buffers a Winograd convolution borrows for one pass (two chunk-sized activations in
    /// oneDNN's blocked layout, the reordered weight or its gradient, the scratchpad).
    public func winogradBuffers(_ w: OneDNNWinogradConvolution) -> OneDNNWinogradConvolution.Buffers {
        OneDNNWinogradConvolution.Buffers(a: blockedA.reserve(w.blockedBytes), b: blockedB.reserve(w.blockedBytes),
                                          weight: reorderedWeights.reserve(w.weightBytes), scratchpad: scratchpad(w.scratchpadBytes))
    }

    /// The work buffer of a forward or input-gradient pass by Loupe's own Winograd kernels (on
    /// AVX2 CPUs, where the blocked buffers of oneDNN's Winograd are unused); contents unspecified.
    public func winogradWork(bytes: Int) -> UnsafeMutableRawPointer { blockedA.reserve(bytes) }

    /// The work buffer of a weight gradient by Loupe's own Winograd kernels; contents unspecified.
    /// The same memory as `winogradWork(bytes:)`: a layer's backward finishes its weight gradient
    /// before its input gradient starts (one buffer, not two, at the peak of training's memory).
    public func winogradGradientWork(bytes: Int) -> UnsafeMutableRawPointer { blockedA.reserve(bytes) }

    /// A strided convolution's input with every stride-th pixel kept (the input of its weight
    /// gradient, see `Conv2D.unitStrideShape`); contents unspecified. The Winograd work buffer's
    /// memory: a 1x1 convolution runs no Winograd pass.
    public func subsampled(count: Int) -> UnsafeMutablePointer<Float> {
        blockedA.reserve(count * 4).assumingMemoryBound(to: Float.self)
    }

    /// Two buffers for activations in oneDNN's blocked layout (a Winograd inference pass's
    /// input and output); contents unspecified.
    public func blocked(bytes: Int) -> (UnsafeMutableRawPointer, UnsafeMutableRawPointer) {
        (blockedA.reserve(bytes), blockedB.reserve(bytes))
    }

    /// The pass-down gradient tensor that is not `dy`, so a block may write its input gradient
    /// there while still reading `dy`. (Between a training forward and the first block's
    /// backward, one of them may hold a small stem's output: `ResNet.stemHome`.)
    public func passBuffer(avoiding dy: Tensor?) -> Tensor { dy === passA ? passB : passA }
}

/// One growing allocation, 64-byte aligned (what oneDNN's AVX-512 kernels like).
struct RawScratch: ~Copyable {
    private(set) var pointer: UnsafeMutableRawPointer = .allocate(byteCount: 64, alignment: 64)
    private var capacity = 64

    mutating func reserve(_ bytes: Int) -> UnsafeMutableRawPointer {
        if bytes > capacity {
            pointer.deallocate()
            capacity = bytes
            pointer = .allocate(byteCount: bytes, alignment: 64)
        }
        return pointer
    }

    deinit { pointer.deallocate() }
}
