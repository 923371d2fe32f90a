import TensorCore

/// What a parameter is, which decides its initialisation and whether weight decay applies.
public enum ParameterRole: String, Sendable {
    case convWeight, linearWeight, bias, normWeight, normBias
    /// BatchNorm parameters and biases are the ones commonly excluded from weight decay.
    public var isNormOrBias: Bool { self != .convWeight && self != .linearWeight }
}

/// One named parameter tensor inside the arena (names follow torchvision's state dicts).
public struct ParameterEntry: Sendable {
    public let name: String
    public let shape: [Int]
    public let offset: Int
    public let count: Int
    public let role: ParameterRole
    /// Part of the classifier head (trained when the backbone is frozen).
    public let isHead: Bool
}

/// All parameters of a model in one flat buffer, and their gradients in a second buffer of the
/// same layout, so an optimizer step, zeroing the gradients and a save are single loops.
///
/// Layers register their tensors while the model is built, then `allocate()` makes the buffers.
public final class ParameterArena: @unchecked Sendable {
    public private(set) var entries: [ParameterEntry] = []
    public private(set) var count = 0
    public private(set) var values: UnsafeMutablePointer<Float>
    public private(set) var grads: UnsafeMutablePointer<Float>
    private var allocated = false
    /// Bumped by every path that writes `values` (initialisation, optimizer steps, loads,
    /// restores, head resets): layers that cache something derived from the weights (the
    /// convolutions' reordered inference weights) rebuild it when the version moved.
    public private(set) var version: UInt64 = 0

    public init() {
        values = .allocate(capacity: 1)
        grads = .allocate(capacity: 1)
    }

    deinit { values.deallocate(); grads.deallocate() }

    /// Reserves room for a tensor; returns its offset in `values` and `grads`.
    public func register(_ name: String, shape: [Int], role: ParameterRole, isHead: Bool = false) -> Int {
        precondition(!allocated, "parameter \(name) registered after allocation")
        let n = shape.reduce(1, *)
        entries.append(ParameterEntry(name: name, shape: shape, offset: count, count: n, role: role, isHead: isHead))
        count += n
        return count - n
    }

    /// Allocates both buffers, zero-filled.
    public func allocate() {
        precondition(!allocated)
        values.deallocate(); grads.deallocate()
        values = .allocate(capacity: max(count, 1)); values.initialize(repeating: 0, count: max(count, 1))
        grads = .allocate(capacity: max(count, 1)); grads.initialize(repeating: 0, count: max(count, 1))
        allocated = true
        didWrite()
    }

    /// Records that `values` changed (see `version`). Whoever writes through `values` calls it.
    public func didWrite() { version &+= 1 }

    public func zeroGrads() { grads.update(repeating: 0, count: count) }

    public func entry(named name: String) -> ParameterEntry? { entries.first { $0.name == name } }

    public func valuesArray(_ e: ParameterEntry) -> [Float] { Array(UnsafeBufferPointer(start: values + e.offset, count: e.count)) }
    public func gradsArray(_ e: ParameterEntry) -> [Float] { Array(UnsafeBufferPointer(start: grads + e.offset, count: e.count)) }

    /// A copy of every value (for snapshots such as "restore the best epoch").
    public func snapshot() -> [Float] { Array(UnsafeBufferPointer(start: values, count: count)) }

    public func restore(_ snapshot: [Float]) {
        precondition(snapshot.count == count, "snapshot of \(snapshot.count) values for \(count) parameters")
        snapshot.withUnsafeBufferPointer { values.update(from: $0.baseAddress!, count: count) }
        didWrite()
    }
}
