import TensorCore

/// Which parameters weight decay applies to.
public enum DecayPolicy: String, Sendable, Codable {
    /// Every parameter, as torch.optim does by default.
    case all
    /// Convolution and linear weights only: BatchNorm parameters and biases are excluded.
    case weightsOnly
}

/// An optimizer updates the arena's values from its gradients, one flat pass per parameter.
public protocol Optimizer: AnyObject {
    /// One update. `learningRate(entry)` gives each parameter's rate (e.g. a separate head rate);
    /// parameters for which `trainable` is false are left untouched, as PyTorch skips frozen ones.
    func step(_ arena: ParameterArena, learningRate: (ParameterEntry) -> Float, trainable: (ParameterEntry) -> Bool)
    /// Makes every rank's state (momentum, moments, step count) rank 0's.
    func broadcastState(_ communicator: Communicator)
    /// A copy of everything later steps depend on (momentum, moments, step count).
    var state: OptimizerState { get set }
}

/// An optimizer's memory between steps: its buffers (SGD: momentum; AdamW: first and second
/// moments) and a counter (SGD: whether it has stepped; AdamW: the step t of its bias correction).
/// Restoring one makes the next step what it was when the copy was taken.
public struct OptimizerState: Sendable, Equatable {
    public var buffers: [[Float]]
    public var counter: Int
}

extension Communicator {
    /// Rank 0's integer on every rank.
    func broadcast(_ value: Int) -> Int {
        var v = value
        broadcast(&v, bytes: MemoryLayout<Int>.size, root: 0)
        return v
    }

    /// Rank 0's array (its length too) on every rank.
    func broadcastArray(_ values: inout [Float]) {
        let n = broadcast(values.count)
        if values.count != n { values = [Float](repeating: 0, count: n) }
        broadcast(&values)
    }
}
