import TensorCore

/// Scratch buffers reused by every layer of a model: im2col columns and column gradients,
/// a repacked weight, a weight gradient in the packed order.
///
/// Layers run one after another on the engine thread, so one growing buffer per purpose
/// suffices; the column buffer's size is bounded by `Conv2D`'s chunking over images.
public final class Workspace: @unchecked Sendable {
    private var columns = ScratchBuffer()
    private var packedWeights = ScratchBuffer()
    private var packedGradient = ScratchBuffer()
    private var paddedInput = ScratchBuffer()
    /// Activation-sized tensors a block uses within one forward or backward call and then
    /// releases (its shortcut's normalised output, intermediate gradients).
    public let scratchA = Tensor(shape: [0]), scratchB = Tensor(shape: [0])
    /// An activation that a block recomputes in backward instead of keeping (a BatchNorm+ReLU
    /// output rebuilt from the normalised input the BatchNorm saved in place).
    public let recomputedActivation = Tensor(shape: [0])
    /// Two tensors that carry the gradient from one block to the next down the network: a block
    /// writes its input gradient into the one that is not its `dy` (see `passBuffer(avoiding:)`).
    private let passA = Tensor(shape: [0]), passB = Tensor(shape: [0])
    /// Largest column matrix a convolution chunk aims for (floats): 2 Mi floats = 8 MiB, which
    /// still gives GEMMs of thousands of rows in ResNet training and keeps peak memory down.
    public let budget: Int

    public init(budget: Int = 2 << 20) {
        self.budget = budget
    }

    /// A column buffer of at least `count` floats; contents are unspecified.
    public func buffer(_ count: Int) -> UnsafeMutablePointer<Float> { columns.reserve(count) }

    /// A buffer for a repacked weight; contents are unspecified.
    public func weights(_ count: Int) -> UnsafeMutablePointer<Float> { packedWeights.reserve(count) }

    /// A buffer for a weight gradient in packed order; contents are unspecified.
    public func weightGradient(_ count: Int) -> UnsafeMutablePointer<Float> { packedGradient.reserve(count) }

    /// A zero-padded copy of a convolution's input (or output gradient) for the direct kernel;
    /// contents are unspecified.
    public func padded(_ count: Int) -> UnsafeMutablePointer<Float> { paddedInput.reserve(count) }

    /// The pass-down gradient tensor that is not `dy`, so a block may write its input gradient
    /// there while still reading `dy`.
    public func passBuffer(avoiding dy: Tensor) -> Tensor { dy === passA ? passB : passA }
}

/// One growing allocation.
struct ScratchBuffer: ~Copyable {
    private var storage: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    private var capacity = 1

    mutating func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity {
            storage.deallocate()
            capacity = count
            storage = .allocate(capacity: count)
        }
        return storage
    }

    deinit { storage.deallocate() }
}
