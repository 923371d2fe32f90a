import NeuralNet

/// The optimizer a run uses.
public enum OptimizerKind: String, Codable, Sendable, CaseIterable { case sgd, adamw }

/// How cross-entropy weighs the classes.
public enum ClassWeighting: Codable, Sendable, Equatable {
    case none
    /// Inverse frequency, N / (K · n_c) (scikit-learn's "balanced").
    case auto
    case explicit([Float])

    public func weights(countsPerClass counts: [Int]) -> [Float]? {
        switch self {
        case .none: return nil
        case .explicit(let w): return w
        case .auto:
            let total = Float(counts.reduce(0, +)), k = Float(counts.count)
            return counts.map { $0 > 0 ? total / (k * Float($0)) : 1 }
        }
    }
}

/// Hyperparameters of `train` (LANGUAGE.md's defaults).
public struct TrainingOptions: Codable, Sendable, Equatable {
    public var epochs = 10
    public var learningRate: Float = 0.003
    /// nil = auto: 16 for 200 training images or fewer, 32 up to 5,000, 64 above.
    public var batchSize: Int?
    public var optimizer: OptimizerKind = .sgd
    public var momentum: Float = 0.9
    public var weightDecay: Float = 5e-4
    public var schedule: Schedule = .onecycle
    /// Patience in epochs without a better dev loss; nil = no early stopping.
    public var earlyStop: Int?
    public var classWeights: ClassWeighting = .none
    public var labelSmoothing: Float = 0
    /// A separate rate for the head (fine-tuning); nil = `learningRate` everywhere.
    public var headLearningRate: Float?
    public var augment = true
    public var seed: UInt64 = 0

    public init() {}

    public static func autoBatchSize(trainCount: Int) -> Int {
        trainCount <= 200 ? 16 : trainCount <= 5000 ? 32 : 64
    }

    public func resolvedBatchSize(trainCount: Int) -> Int {
        max(1, min(batchSize ?? Self.autoBatchSize(trainCount: trainCount), max(trainCount, 1)))
    }

    /// Checks values a user can get wrong; the message names the parameter.
    public func validate() throws {
        func bad(_ name: String, _ why: String) -> WorkflowError { .invalidParameter(name: name, reason: why) }
        if epochs < 1 { throw bad("epochs", "must be at least 1, got \(epochs)") }
        if !(learningRate > 0 && learningRate.isFinite) { throw bad("lr", "must be a positive number, got \(learningRate)") }
        if let b = batchSize, b < 1 { throw bad("batch", "must be at least 1, got \(b)") }
        if !(0..<1).contains(momentum) { throw bad("momentum", "must be in [0, 1), got \(momentum)") }
        if weightDecay < 0 { throw bad("weight_decay", "must not be negative, got \(weightDecay)") }
        if let p = earlyStop, p < 1 { throw bad("early_stop", "patience must be at least 1 epoch, got \(p)") }
        if !(0..<1).contains(labelSmoothing) { throw bad("label_smoothing", "must be in [0, 1), got \(labelSmoothing)") }
    }
}

/// Errors of the workflow a user can cause; each names the parameter or the cause and a remedy.
public enum WorkflowError: Error, CustomStringConvertible, Equatable {
    case invalidParameter(name: String, reason: String)
    case noData(String)
    case mismatch(String)
    /// The model's outputs and the data's classes differ in number.
    case classCountMismatch(model: Int, data: Int)
    /// The model has the data's class names in another order (`ClassMatch`).
    case classOrderDiffers(model: [String], data: [String])
    /// The model's class names are neither the data's nor placeholders (`ClassMatch`).
    case classNamesDiffer(model: [String], data: [String])
    /// There are no training images (no split made, or an empty one).
    case emptyTrainingSplit
    /// `parameter` (early stopping) watches the dev loss, and there is no validation split.
    case needsValidationSplit(parameter: String)
    /// Cached features stand for a frozen backbone's output; the model's backbone is not frozen.
    case cachedFeaturesNeedFrozenBackbone
    /// The caller's `shouldStop` asked to stop; the text says what was kept.
    case interrupted(String)

    public var description: String {
        switch self {
        case .invalidParameter(let name, let reason): return "\(name): \(reason)"
        case .noData(let m), .mismatch(let m), .interrupted(let m): return m
        case .classCountMismatch(let model, let data): return "the model has \(model) outputs but the data has \(data) classes"
        case .classOrderDiffers: return "the model has the data's classes in another order, so labels would be matched wrongly"
        case .classNamesDiffer: return "the model's classes are not the data's"
        case .emptyTrainingSplit: return "the training split is empty"
        case .needsValidationSplit(let parameter): return "\(parameter): needs a validation split to watch"
        case .cachedFeaturesNeedFrozenBackbone: return "cached features need a frozen backbone"
        }
    }
}
