import NeuralNet

/// What a phase of a run trains.
public enum TrainingPhase: String, Sendable, Codable, CaseIterable {
    /// The model as it is, frozen or not (a plain training run).
    case train
    /// A fine-tune's first step: the head on a frozen backbone.
    case head
    /// A fine-tune's second step: everything.
    case all

    /// "train", "head", "all": the `phase` column of the history and the label of its records.
    public var name: String { rawValue }

    /// Whether the backbone is frozen while the phase trains (nil: as the model has it).
    public var backboneFrozen: Bool? {
        switch self {
        case .train: return nil
        case .head: return true
        case .all: return false
        }
    }
}

/// One phase of a run and the training run that carries it out.
public struct RunPhase {
    public let phase: TrainingPhase
    public let run: TrainingRun

    public init(_ phase: TrainingPhase, run: TrainingRun) {
        self.phase = phase
        self.run = run
    }
}

/// A phase that is planned and not begun: a fine-tune's second step while its first is
/// unfinished (Ctrl-C stopped it). Training the run begins it once the phase before completes.
public struct PendingPhase {
    public let phase: TrainingPhase
    public let options: TrainingOptions
    public let train: BatchSource
    public let dev: BatchSource?

    public init(_ phase: TrainingPhase, options: TrainingOptions, train: BatchSource, dev: BatchSource?) {
        self.phase = phase; self.options = options; self.train = train; self.dev = dev
    }
}

/// A run of one phase (training) or several (a fine-tune: the head, then everything), and its
/// history: epochs numbered one after the other across the phases, the best of them, and
/// history.csv. `train(…)` trains it (MultiPhaseRun+Training.swift).
public final class MultiPhaseRun {
    public internal(set) var phases: [RunPhase]
    /// The next phase, when one is planned and not begun.
    public internal(set) var pending: PendingPhase?

    public init(phases: [RunPhase], pending: PendingPhase? = nil) {
        precondition(!phases.isEmpty, "a run has at least one phase")
        self.phases = phases
        self.pending = pending
    }

    /// A run of one phase.
    public convenience init(_ run: TrainingRun, phase: TrainingPhase = .train) {
        self.init(phases: [RunPhase(phase, run: run)])
    }

    /// The phase that trains now (or trained last).
    public var run: TrainingRun { phases.last!.run }
    public var model: ResNet { run.model }

    /// Every epoch of every phase, numbered from 1 across phases.
    public var history: [EpochRecord] {
        var out: [EpochRecord] = []
        for p in phases {
            let offset = out.count
            out += p.run.history.map { var r = $0; r.epoch += offset; return r }
        }
        return out
    }

    /// The phase of each epoch of `history`.
    public var epochPhases: [TrainingPhase] { phases.flatMap { p in Array(repeating: p.phase, count: p.run.epochsRun) } }

    public var epochsRun: Int { phases.reduce(0) { $0 + $1.run.epochsRun } }
    /// Whether some epoch was measured on dev data.
    public var hasDev: Bool { history.contains { $0.devLoss != nil } }
    /// Whether every epoch was measured on dev data (and there is at least one).
    public var hasDevEveryEpoch: Bool { let h = history; return !h.isEmpty && h.allSatisfy { $0.devLoss != nil } }

    /// The epoch (across phases) with the lowest dev loss (train loss without a dev set).
    public var bestEpoch: Int? {
        var best: (epoch: Int, loss: Double)?, offset = 0
        for p in phases {
            if let e = p.run.bestEpoch, let l = p.run.bestLoss, l.isFinite, best == nil || l < best!.loss { best = (offset + e, l) }
            offset += p.run.epochsRun
        }
        return best?.epoch
    }

    /// The lowest dev loss of any phase (train loss without a dev set).
    public var bestLoss: Double? { phases.compactMap(\.run.bestLoss).filter(\.isFinite).min() }

    /// Dev accuracy at the best epoch (train accuracy without a dev set; the last epoch's when
    /// no epoch is best).
    public var accuracy: Double? {
        let h = history
        if let b = bestEpoch, let r = h.first(where: { $0.epoch == b }) { return r.devAccuracy ?? r.trainAccuracy }
        return h.last.map { $0.devAccuracy ?? $0.trainAccuracy }
    }

    /// Why the phase that trained last stopped.
    public var stopReason: StopReason { run.stopReason }
    /// Whether early stopping ended some phase.
    public var stoppedEarly: Bool { phases.contains { $0.run.stoppedEarly } }
}
