import TensorCore

// torch.optim.SGD, per element:
//   g ← grad + wd·p
//   buf ← g on the first step, else momentum·buf + (1 − dampening)·g
//   g ← g + momentum·buf (Nesterov) or buf
//   p ← p − lr·g

/// Stochastic gradient descent with momentum, Nesterov and coupled weight decay (torch.optim.SGD).
public final class SGD: Optimizer {
    public var momentum: Float
    public var dampening: Float
    public var nesterov: Bool
    public var weightDecay: Float
    public var decayPolicy: DecayPolicy
    private var buffer: [Float] = []
    private var started = false

    public init(momentum: Float = 0.9, dampening: Float = 0, nesterov: Bool = false, weightDecay: Float = 0, decayPolicy: DecayPolicy = .all) {
        self.momentum = momentum; self.dampening = dampening; self.nesterov = nesterov
        self.weightDecay = weightDecay; self.decayPolicy = decayPolicy
    }

    public func broadcastState(_ communicator: Communicator) {
        communicator.broadcastArray(&buffer)
        started = communicator.broadcast(started ? 1 : 0) != 0
    }

    public var state: OptimizerState {
        get { OptimizerState(buffers: [buffer], counter: started ? 1 : 0) }
        set { buffer = newValue.buffers.first ?? []; started = newValue.counter != 0 }
    }

    public func step(_ arena: ParameterArena, learningRate: (ParameterEntry) -> Float, trainable: (ParameterEntry) -> Bool) {
        if buffer.count != arena.count { buffer = [Float](repeating: 0, count: arena.count); started = false }
        let first = !started
        started = true
        let p = arena.values, gr = arena.grads
        defer { arena.didWrite() }
        buffer.withUnsafeMutableBufferPointer { bp in
            let buf = bp.baseAddress!
            for e in arena.entries where trainable(e) {
                let lr = learningRate(e)
                let wd = (decayPolicy == .all || !e.role.isNormOrBias) ? weightDecay : 0
                for i in e.offset..<(e.offset + e.count) {
                    var g = gr[i] + wd * p[i]
                    if momentum != 0 {
                        buf[i] = first ? g : momentum * buf[i] + (1 - dampening) * g
                        g = nesterov ? g + momentum * buf[i] : buf[i]
                    }
                    p[i] -= lr * g
                }
            }
        }
    }
}
