import TensorCore

/// One scratch buffer reused by every layer of a model (im2col columns, column gradients).
///
/// Layers run one after another on the engine thread, so a single growing buffer suffices;
/// its size is bounded by `Conv2D`'s chunking over images.
public final class Workspace: @unchecked Sendable {
    private var storage: UnsafeMutablePointer<Float>
    private var capacity: Int
    /// Largest scratch size a convolution chunk aims for (floats): 8 Mi floats = 32 MiB.
    public let budget: Int

    public init(budget: Int = 8 << 20) {
        self.budget = budget
        capacity = 1
        storage = .allocate(capacity: 1)
    }

    deinit { storage.deallocate() }

    /// A buffer of at least `count` floats; contents are unspecified.
    public func buffer(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity {
            storage.deallocate()
            capacity = count
            storage = .allocate(capacity: count)
        }
        return storage
    }
}
