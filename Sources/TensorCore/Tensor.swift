// Shape letters used across the engine: N batch, H height, W width, C channels,
// OC output channels, K reduction length of a GEMM.

/// A float32 tensor: a shape and one owned, zero-initialised, contiguous buffer.
///
/// Activations are NHWC (see `Sources/TensorCore/README.md` for why); parameters keep
/// PyTorch's layouts. A `Tensor` is a reference type so that layers can keep and reuse their
/// output buffers across steps without reallocating.
public final class Tensor: @unchecked Sendable {
    public private(set) var shape: [Int]
    /// Number of elements in `shape`.
    public private(set) var count: Int
    /// Elements the buffer can hold; `reshape` may grow the view up to this without allocating.
    public private(set) var capacity: Int
    public private(set) var data: UnsafeMutablePointer<Float>

    public init(shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        self.count = shape.reduce(1, *)
        self.capacity = Swift.max(count, 1)
        self.data = .allocate(capacity: capacity)
        data.initialize(repeating: 0, count: capacity)
    }

    public convenience init(shape: [Int], values: [Float]) {
        self.init(shape: shape)
        precondition(values.count == count, "\(values.count) values for shape \(shape)")
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: count) }
    }

    deinit { data.deallocate() }

    /// Changes the shape, reallocating only when the new size exceeds the capacity.
    /// Contents are unspecified after a reallocation.
    public func resize(to newShape: [Int]) {
        let n = newShape.reduce(1, *)
        if n > capacity {
            data.deallocate()
            capacity = n
            data = .allocate(capacity: n)
            data.initialize(repeating: 0, count: n)
        }
        shape = newShape
        count = n
    }

    public var buffer: UnsafeMutableBufferPointer<Float> { .init(start: data, count: count) }

    public subscript(i: Int) -> Float {
        get { data[i] }
        set { data[i] = newValue }
    }

    public func zero() { data.update(repeating: 0, count: count) }

    public func copy(from other: Tensor) {
        precondition(other.count == count, "copy of \(other.shape) into \(shape)")
        data.update(from: other.data, count: count)
    }

    public func clone() -> Tensor {
        let t = Tensor(shape: shape)
        t.copy(from: self)
        return t
    }

    public func toArray() -> [Float] { Array(buffer) }
}
