/// What a fine-tune trains, and why: the head on a frozen backbone, then — unless the plan is
/// the head alone — everything at a tenth of the head's rate (or what the caller gave).
public struct FineTunePlan: Sendable, Equatable {
    /// Below this many training images in the median class, a fine-tune given no numbers trains
    /// only the head: a few dozen images per class cannot move a backbone's features without
    /// overfitting them (fastai's and Keras's transfer-learning guides say the same).
    public static let headOnlyBelowImagesPerClass = 50

    /// Why the plan has the steps it has.
    public enum Choice: Sendable, Equatable {
        /// The caller gave the numbers (no second step when it gave none of its epochs).
        case asGiven
        /// Chosen from the data: under `headOnlyBelowImagesPerClass` images in the median class.
        case headOnly(medianImagesPerClass: Int)
        /// Chosen from the data: enough images per class to train everything too.
        case headThenAll(medianImagesPerClass: Int)
    }

    /// The first step's options (the head on a frozen backbone).
    public var head: TrainingOptions
    /// The second step's options (everything); nil when the head trains alone.
    public var all: TrainingOptions?
    public let choice: Choice

    /// `head` are the first step's options; the second shares them but for `allEpochs` (0: the
    /// head alone) and `allLearningRate` (nil: a tenth of the head's). `chooseFromData`: the
    /// caller gave none of these numbers, so the median class of `trainCountsPerClass` decides
    /// whether the second step runs. Throws `invalidParameter` for values out of range.
    public init(head: TrainingOptions, allEpochs: Int, allLearningRate: Float?, chooseFromData: Bool,
                trainCountsPerClass: [Int]) throws {
        var all = head
        all.epochs = allEpochs
        all.learningRate = allLearningRate ?? head.learningRate / 10
        try head.validate()
        if all.epochs > 0 { try all.validate() }
        guard all.epochs >= 0 else {
            throw WorkflowError.invalidParameter(name: "epochs", reason: "must be 0 (head only) or more, got \(all.epochs)")
        }
        self.head = head
        self.all = all.epochs > 0 ? all : nil
        if chooseFromData {
            let counts = trainCountsPerClass.sorted()
            let median = counts.isEmpty ? 0 : counts[counts.count / 2]
            if median < Self.headOnlyBelowImagesPerClass {
                choice = .headOnly(medianImagesPerClass: median)
                self.all = nil
            } else {
                choice = .headThenAll(medianImagesPerClass: median)
            }
        } else {
            choice = .asGiven
        }
    }

    /// Whether the second step's rate is above a tenth of the head's: a pretrained backbone
    /// usually wants a tenth or less.
    public var allRateAboveATenth: Bool { all.map { $0.learningRate > head.learningRate / 10 } ?? false }
}
