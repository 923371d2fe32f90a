/// The element type of a tensor as model files hold it in memory.
///
/// Files may store narrower or wider types (F16, BF16, F64, I32, U8…); readers widen or
/// narrow them to one of these two, because the engine computes in float32 and the only
/// integer tensors a state dict holds are counters such as `num_batches_tracked`.
public enum StoredDType: String, Sendable, Equatable {
    case f32
    case i64

    /// Bytes per element on disk when written by Loupe.
    public var byteWidth: Int {
        switch self {
        case .f32: 4
        case .i64: 8
        }
    }
}

/// One tensor read from or written to a model file: a shape (PyTorch layout) and its values.
///
/// Exactly one of `floats` (for `.f32`) and `ints` (for `.i64`) holds the `elementCount`
/// values in row-major order; the other is empty.
public struct StoredTensor: Sendable, Equatable {
    public let shape: [Int]
    public let dtype: StoredDType
    public let floats: [Float]
    public let ints: [Int64]

    /// A float32 tensor. The number of values must match the shape (a programming error otherwise).
    public init(shape: [Int], floats: [Float]) {
        precondition(StoredTensor.elementCount(of: shape) == floats.count,
                     "\(floats.count) values for shape \(shape)")
        self.shape = shape
        self.dtype = .f32
        self.floats = floats
        self.ints = []
    }

    /// An int64 tensor. The number of values must match the shape (a programming error otherwise).
    public init(shape: [Int], ints: [Int64]) {
        precondition(StoredTensor.elementCount(of: shape) == ints.count,
                     "\(ints.count) values for shape \(shape)")
        self.shape = shape
        self.dtype = .i64
        self.floats = []
        self.ints = ints
    }

    /// Number of elements: the product of the shape (1 for a scalar).
    public var elementCount: Int { dtype == .f32 ? floats.count : ints.count }

    /// The values as float32 whatever the dtype (integers converted), e.g. to load a
    /// `num_batches_tracked` counter into a layer that keeps it beside its floats.
    public var valuesAsFloats: [Float] { dtype == .f32 ? floats : ints.map { Float($0) } }

    /// Equality of values bit for bit (so NaN payloads and -0 count), which is what a file
    /// round trip must preserve; `==` uses IEEE comparison instead.
    public func isBitIdentical(to other: StoredTensor) -> Bool {
        guard shape == other.shape, dtype == other.dtype else { return false }
        if dtype == .i64 { return ints == other.ints }
        return floats.elementsEqual(other.floats) { $0.bitPattern == $1.bitPattern }
    }

    static func elementCount(of shape: [Int]) -> Int {
        shape.reduce(1) { precondition($1 >= 0, "negative dimension in \(shape)"); return $0 * $1 }
    }
}

/// Named tensors in a fixed order: the content of a state dict or a safetensors file.
///
/// Insertion order is kept (it is the order tensors are written to disk, so output is
/// deterministic); lookup by name is constant time. Assigning to an existing name replaces the
/// tensor in place; assigning `nil` removes it.
public struct NamedTensors: Sendable, Equatable, Sequence {
    public private(set) var names: [String] = []
    private var tensors: [StoredTensor] = []
    private var position: [String: Int] = [:]

    public init() {}

    /// Builds from pairs in order; a repeated name keeps its first position and last value.
    public init(_ pairs: [(String, StoredTensor)]) {
        for (name, tensor) in pairs { self[name] = tensor }
    }

    public var count: Int { names.count }
    public var isEmpty: Bool { names.isEmpty }

    public func contains(_ name: String) -> Bool { position[name] != nil }

    public subscript(name: String) -> StoredTensor? {
        get { position[name].map { tensors[$0] } }
        set {
            if let newValue {
                if let i = position[name] { tensors[i] = newValue; return }
                position[name] = names.count
                names.append(name)
                tensors.append(newValue)
            } else if let i = position.removeValue(forKey: name) {
                names.remove(at: i)
                tensors.remove(at: i)
                for j in i..<names.count { position[names[j]] = j }
            }
        }
    }

    public func makeIterator() -> AnyIterator<(name: String, tensor: StoredTensor)> {
        var i = 0
        return AnyIterator {
            guard i < names.count else { return nil }
            defer { i += 1 }
            return (names[i], tensors[i])
        }
    }

    /// True when both hold the same names in the same order with bit-identical values.
    public func isBitIdentical(to other: NamedTensors) -> Bool {
        names == other.names && zip(tensors, other.tensors).allSatisfy { $0.isBitIdentical(to: $1) }
    }

    /// Total bytes of tensor data when written by Loupe (4 per float, 8 per int).
    public var dataByteCount: Int { tensors.reduce(0) { $0 + $1.elementCount * $1.dtype.byteWidth } }
}
