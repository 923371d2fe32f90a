import TensorCore
import NeuralNet

/// What a run of phases tells its caller while it trains: the caller draws the progress, says
/// when a phase begins, and writes the run's files after each epoch.
public protocol PhaseObserver: AnyObject {
    /// `phase` is about to train, after `epochOffset` epochs of the phases before it. `begun`:
    /// this call began it from the pending phase (none of its epochs has run yet).
    func phaseWillTrain(_ phase: RunPhase, epochOffset: Int, begun: Bool)
    /// An event of the phase that trains.
    func handle(_ event: TrainingEvent)
    /// The phase stopped training, however it stopped (a thrown error included).
    func phaseDidTrain(_ phase: RunPhase)
    /// An epoch of the phase ended with `model` as it is now: the caller writes its files. A
    /// throw stops the run.
    func epochEnded(_ model: ResNet, epoch: Int) throws
}

/// Training a run phase after phase, each with the backbone as its phase wants it.
extension MultiPhaseRun {
    /// Trains the current phase (its remaining epochs, or `extraEpochs` more on a fresh schedule)
    /// and, when it completes or stops early, begins and trains the pending phase. An interrupted
    /// phase keeps the pending one for the next call (LANGUAGE.md's `resume`); a diverged one
    /// drops it: the next step would start from weights the rate broke.
    ///
    /// `stopAfter` counts the epochs of this call across phases (a replayed interruption). The
    /// backbone is frozen or trainable as each phase says while it trains, and afterwards back as
    /// the caller had it, however the call ends (finished, interrupted, diverged or thrown) —
    /// except that a second step (`all`) that finished leaves everything trainable, as a
    /// fine-tune does in fastai (docs/decisions/training.md).
    public func train(extraEpochs: Int? = nil, stopAfter: Int? = nil, shouldStop: () -> Bool = { false },
                      observer: PhaseObserver? = nil) throws {
        let model = self.model
        let before = epochsRun
        var frozenAfter = model.backboneFrozen
        defer { model.freezeBackbone(frozenAfter) }
        var trained: TrainingPhase?
        if run.epochsRun < run.plannedEpochs || extraEpochs != nil {
            try trainCurrent(extraEpochs: extraEpochs, stopAfter: stopAfter, begun: false, shouldStop: shouldStop, observer: observer)
            trained = phases.last!.phase
        }
        switch run.stopReason {
        case .completed, .earlyStopped:
            guard let next = pending else { break }
            let nextRun = try model.withBackbone(frozen: next.phase.backboneFrozen) {
                try TrainingRun(model: model, train: next.train, dev: next.dev, options: next.options, communicator: run.communicator)
            }
            phases.append(RunPhase(next.phase, run: nextRun))
            pending = nil
            try trainCurrent(extraEpochs: nil, stopAfter: stopAfter.map { $0 - (epochsRun - before) }, begun: true,
                             shouldStop: shouldStop, observer: observer)
            trained = next.phase
        case .diverged:
            pending = nil
        case .interrupted:
            break
        }
        if trained == .all, pending == nil, run.stopReason == .completed || run.stopReason == .earlyStopped { frozenAfter = false }
    }

    /// Runs the last phase inside its backbone setting, telling `observer` as it goes.
    private func trainCurrent(extraEpochs: Int?, stopAfter: Int?, begun: Bool, shouldStop: () -> Bool,
                              observer: PhaseObserver?) throws {
        let current = phases.last!
        observer?.phaseWillTrain(current, epochOffset: epochsRun - current.run.epochsRun, begun: begun)
        defer { observer?.phaseDidTrain(current) }
        let checkpoint: ((ResNet, Int) throws -> Void)? = observer.map { o in { model, epoch in try o.epochEnded(model, epoch: epoch) } }
        try current.run.model.withBackbone(frozen: current.phase.backboneFrozen) {
            try current.run.run(extraEpochs: extraEpochs, stopAfter: stopAfter.map { max(0, $0) }, shouldStop: shouldStop,
                                progress: { observer?.handle($0) }, checkpoint: checkpoint)
        }
    }
}
