import TensorCore
import NeuralNet

extension MultiPhaseRun {
    /// A fine-tune as `plan` has it, ready to `train`: its first phase (the head on a frozen
    /// backbone) and, when the plan has one, its second pending (everything, on `train` and
    /// `dev`). `headSources` replace `train` and `dev` in the first phase: a frozen backbone's
    /// cached features of the same images (`FeatureExtraction`).
    public static func fineTune(model: ResNet, plan: FineTunePlan, train: BatchSource, dev: BatchSource?,
                                headSources: (train: BatchSource, dev: BatchSource?)? = nil,
                                communicator: Communicator? = nil) throws -> MultiPhaseRun {
        let sources: (train: BatchSource, dev: BatchSource?) = headSources ?? (train: train, dev: dev)
        let first = try model.withBackbone(frozen: TrainingPhase.head.backboneFrozen) {
            try TrainingRun(model: model, train: sources.train, dev: sources.dev, options: plan.head, communicator: communicator)
        }
        return MultiPhaseRun(phases: [RunPhase(.head, run: first)],
                             pending: plan.all.map { PendingPhase(.all, options: $0, train: train, dev: dev) })
    }
}
