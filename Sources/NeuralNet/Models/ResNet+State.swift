import TensorCore
import LoupeBase

/// One tensor of a model's state under its torchvision name, in PyTorch's layout.
public struct StateTensor: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    /// Float values; for `num_batches_tracked` the count as a float (it is int64 on disk).
    public var values: [Float]
    public var isInteger: Bool
}

extension ResNet {
    /// Every parameter and buffer in torchvision's state-dict order and names:
    /// weights, BatchNorm weight/bias/running_mean/running_var/num_batches_tracked, fc.
    public func state() -> [StateTensor] {
        var out: [StateTensor] = []
        let bnByName = Dictionary(uniqueKeysWithValues: norms.map { ($0.name, $0) })
        for e in arena.entries {
            out.append(StateTensor(name: e.name, shape: e.shape, values: arena.valuesArray(e), isInteger: false))
            // torchvision lists a BatchNorm's buffers right after its bias.
            if e.role == .normBias, let prefix = e.name.dropSuffix(".bias"), let bn = bnByName[prefix] {
                out.append(StateTensor(name: "\(prefix).running_mean", shape: [bn.channels], values: bn.runningMean, isInteger: false))
                out.append(StateTensor(name: "\(prefix).running_var", shape: [bn.channels], values: bn.runningVar, isInteger: false))
                out.append(StateTensor(name: "\(prefix).num_batches_tracked", shape: [], values: [Float(bn.batchesTracked)], isInteger: true))
            }
        }
        return out
    }

    /// Loads parameters and buffers by name. Every parameter must be present with the right
    /// shape unless `skipping` says otherwise (e.g. a replaced output layer); a missing
    /// `num_batches_tracked` is tolerated (older exports omit it).
    public func load(state lookup: (String) -> (shape: [Int], values: [Float])?, skipping: (String) -> Bool = { _ in false }) throws {
        var problems: [String] = []
        defer { arena.didWrite() }
        for e in arena.entries where !skipping(e.name) {
            guard let t = lookup(e.name) else { problems.append("missing \(e.name)"); continue }
            guard t.shape == e.shape, t.values.count == e.count else {
                problems.append("\(e.name) has shape \(t.shape), the model needs \(e.shape)"); continue
            }
            t.values.withUnsafeBufferPointer { (arena.values + e.offset).update(from: $0.baseAddress!, count: e.count) }
        }
        for bn in norms where !skipping("\(bn.name).weight") {
            for (suffix, isMean) in [("running_mean", true), ("running_var", false)] {
                let key = "\(bn.name).\(suffix)"
                guard let t = lookup(key) else { problems.append("missing \(key)"); continue }
                guard t.values.count == bn.channels else {
                    problems.append("\(key) has \(t.values.count) values, the model needs \(bn.channels)"); continue
                }
                if isMean { bn.runningMean = t.values } else { bn.runningVar = t.values }
            }
            if let t = lookup("\(bn.name).num_batches_tracked"), let v = t.values.first { bn.batchesTracked = Int64(v) }
        }
        if !problems.isEmpty {
            let shown = problems.prefix(5).joined(separator: "; ")
            throw NeuralNetError.stateMismatch("the weights do not fit \(config.name): \(shown)\(problems.count > 5 ? " (and \(problems.count - 5) more)" : "")")
        }
    }

    /// A new network with `classes` outputs (and head as configured) whose backbone keeps these weights.
    public func withNewHead(classes: Int, hidden: Int? = nil, seed: UInt64) throws -> ResNet {
        var c = config
        c.classes = classes
        c.hidden = hidden
        let next = ResNet(c, seed: seed)
        let mine = Dictionary(uniqueKeysWithValues: state().map { ($0.name, ($0.shape, $0.values)) })
        try next.load(state: { mine[$0].map { (shape: $0.0, values: $0.1) } },
                      skipping: { $0.hasPrefix("fc.") || $0.hasPrefix("head.") })
        return next
    }
}

extension String {
    func dropSuffix(_ s: String) -> String? { hasSuffix(s) ? String(dropLast(s.count)) : nil }
}

/// Everything that changes while training: parameter values and BatchNorm statistics.
public struct ModelSnapshot: Sendable, Equatable {
    struct Statistics: Sendable, Equatable { let mean: [Float], variance: [Float], batches: Int64 }
    let values: [Float]
    let running: [Statistics]
}

extension ResNet {
    /// A copy of the learned state, for "restore the best epoch" and rollback after a NaN.
    public func snapshot() -> ModelSnapshot {
        ModelSnapshot(values: arena.snapshot(), running: norms.map { .init(mean: $0.runningMean, variance: $0.runningVar, batches: $0.batchesTracked) })
    }

    public func restore(_ s: ModelSnapshot) {
        arena.restore(s.values)
        for (bn, r) in zip(norms, s.running) { bn.runningMean = r.mean; bn.runningVar = r.variance; bn.batchesTracked = r.batches }
    }

    /// An independent network with the same architecture, weights, statistics and freezing.
    public func clone(seed: UInt64 = 0) -> ResNet {
        let copy = ResNet(config, seed: seed)
        copy.restore(snapshot())
        copy.freezeBackbone(backboneFrozen)
        return copy
    }

    /// Makes every rank's parameters and BatchNorm statistics rank 0's (the start of a data-parallel run).
    public func broadcastState(_ communicator: Communicator) {
        communicator.broadcast(arena.values, count: arena.count)
        arena.didWrite()
        for bn in norms {
            communicator.broadcast(&bn.runningMean)
            communicator.broadcast(&bn.runningVar)
            bn.batchesTracked = Int64(communicator.broadcast(Int(bn.batchesTracked)))
        }
    }

    /// The state of the dropout mask generator (`nil` without a hidden layer): with a snapshot
    /// and the optimizer's state, what a training run needs to continue exactly.
    public var dropoutGenerator: SeededGenerator? {
        get { dropout?.rng }
        set { if let d = dropout, let g = newValue { d.rng = g } }
    }

    /// Whether every parameter and statistic is finite.
    public var isFinite: Bool {
        for i in 0..<arena.count where !arena.values[i].isFinite { return false }
        return norms.allSatisfy { $0.runningMean.allSatisfy(\.isFinite) && $0.runningVar.allSatisfy(\.isFinite) }
    }
}
