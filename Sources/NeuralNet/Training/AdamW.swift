import TensorCore
#if canImport(Glibc)
import Glibc
#endif

// torch.optim.AdamW, per element at step t:
//   p ← p·(1 − lr·wd)                       (decoupled decay)
//   m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
//   p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)

/// Adam with decoupled weight decay (torch.optim.AdamW).
public final class AdamW: Optimizer {
    public var beta1: Float, beta2: Float, eps: Float
    public var weightDecay: Float
    public var decayPolicy: DecayPolicy
    private var m: [Float] = [], v: [Float] = []
    public private(set) var t = 0

    public init(beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0.01, decayPolicy: DecayPolicy = .all) {
        self.beta1 = beta1; self.beta2 = beta2; self.eps = eps
        self.weightDecay = weightDecay; self.decayPolicy = decayPolicy
    }

    public func broadcastState(_ communicator: Communicator) {
        communicator.broadcastArray(&m)
        communicator.broadcastArray(&v)
        t = communicator.broadcast(t)
    }

    public var state: OptimizerState {
        get { OptimizerState(buffers: [m, v], counter: t) }
        set { m = newValue.buffers.first ?? []; v = newValue.buffers.count > 1 ? newValue.buffers[1] : []; t = newValue.counter }
    }

    public func step(_ arena: ParameterArena, learningRate: (ParameterEntry) -> Float, trainable: (ParameterEntry) -> Bool) {
        if m.count != arena.count {
            m = [Float](repeating: 0, count: arena.count); v = m; t = 0
        }
        t += 1
        let bc1 = 1 - Float(pow(Double(beta1), Double(t)))
        let bc2sqrt = Float(pow(1 - pow(Double(beta2), Double(t)), 0.5))
        let p = arena.values, gr = arena.grads
        defer { arena.didWrite() }
        let (b1, b2, e) = (beta1, beta2, eps)
        m.withUnsafeMutableBufferPointer { mp in v.withUnsafeMutableBufferPointer { vp in
            for entry in arena.entries where trainable(entry) {
                let lr = learningRate(entry)
                let wd = (decayPolicy == .all || !entry.role.isNormOrBias) ? weightDecay : 0
                let stepSize = lr / bc1
                for i in entry.offset..<(entry.offset + entry.count) {
                    let g = gr[i]
                    p[i] *= 1 - lr * wd
                    mp[i] = b1 * mp[i] + (1 - b1) * g
                    vp[i] = b2 * vp[i] + (1 - b2) * g * g
                    p[i] -= stepSize * mp[i] / (vp[i].squareRoot() / bc2sqrt + e)
                }
            }
        } }
    }
}
