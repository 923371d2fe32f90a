import Datasets
import NeuralNet
import Workflow

/// What Loupe tells a user to do, in the language's own words: the lower layers report typed
/// causes and remedies (`Diagnosis.Remedy`, `OverfitReport.Cause`, `WorkflowError`) and contain no
/// command syntax; this file is where `augment d flip_h`, `lr_range` and `reset_head m classes=d`
/// are written.
extension Diagnosis.Remedy {
    var text: String {
        switch self {
        case .moreEpochs: return "train for more epochs, then diagnose again"
        case .moreAugmentation: return "more augmentation (augment d flip_h rotate=10 zoom=0.1 …, where the label stays true)"
        case .moreRegularisation: return "regularisation: weight_decay up (e.g. 5e-4 → 1e-3), label_smoothing=0.1, a head with dropout"
        case .earlyStopping: return "early stopping (early_stop=3) keeps the best epoch"
        case .smallerModel: return "a smaller model (e.g. resnet18 → resnet20) or fine-tuning a pretrained one"
        case .moreData: return "more data per class"
        case .longerOrBetterRate: return "train longer (more epochs) or with a better rate (run lr_range)"
        case .biggerModel: return "a bigger model (e.g. resnet20 → resnet18 or resnet34)"
        case .lessRegularisation: return "less augmentation or regularisation (lower weight_decay, no label smoothing)"
        case .largerImages: return "a larger image size, if small details decide the class"
        case .studyMistakes: return "study the mistakes and the confusion matrix for systematic errors"
        case .moreDataForWeakClasses: return "more data for the weakest classes (lowest recall)"
        }
    }
}

extension OverfitReport.Cause {
    var text: String {
        switch self {
        case .lossRose:
            return "the loss rose or diverged: the learning rate is too high for this model (try overfit with a lower rate, or run lr_range)"
        case .notConverged(let steps):
            return "the training loss did not reach ≈0 in \(steps) steps: train longer (steps=\(steps * 3)), or the labels may not match the images (check d.counts and show d.train)"
        case .evaluationDiffers:
            return "training reached ≈0 but evaluation on the same images did not: preprocessing differs between training and evaluation (resize, channels, normalisation) or BatchNorm statistics are off"
        case .singleLabel(let images):
            return "all \(images) images carry the same label: labels may not be loaded (check d.counts)"
        }
    }
}

/// A workflow error as a user reads it: the fact from below, then what to type.
func remedied(_ e: WorkflowError) -> String {
    switch e {
    case .classCountMismatch, .classOrderDiffers, .classNamesDiffer: return e.description + ": use reset_head m classes=d"
    case .emptyTrainingSplit: return e.description + ": load a dataset and run split first"
    case .needsValidationSplit: return "needs a validation split to watch: run split d first"
    case .cachedFeaturesNeedFrozenBackbone: return e.description + " (freeze m), or cache=false"
    default: return e.description
    }
}

/// Where a model met data whose classes it does not fit, for the wording: the training commands
/// speak of "the dataset"; evaluation names the split it was given (`EvaluationRunning.describe`).
enum ClassMismatchContext {
    case training
    case evaluation(dataName: String)
}

/// A model whose classes do not fit the data's (`ClassMatch.between`), as a user reads it: one
/// fact per case, naming the data as the command saw it, then the remedy for the command (before
/// training: reset the head first; before evaluating: reset it and train). Other workflow errors
/// as `remedied(_:)` words them.
func remedied(_ e: WorkflowError, dataClasses: [String], context: ClassMismatchContext) -> String {
    let list = EvaluationRunning.list
    let name: String, remedy: String
    switch context {
    case .training:
        name = "the dataset"; remedy = "run `reset_head m classes=d` first"
    case .evaluation(let dataName):
        name = dataName; remedy = "give the model these classes with `reset_head m classes=d`, then train it"
    }
    switch e {
    case .classCountMismatch(let model, let data):
        return "the model has \(counted(model, "output")) but \(name) has \(data) classes (\(list(dataClasses))): \(remedy)"
    case .classOrderDiffers(let model, let data):
        return "the model and \(name) have the same classes in a different order (model: \(list(model)); data: \(list(data))), so labels would be matched wrongly: \(remedy)"
    case .classNamesDiffer(let model, let data):
        return "the model's classes (\(list(model))) are not those of \(name) (\(list(data))): \(remedy)"
    default:
        return remedied(e)
    }
}

/// A run that stopped on non-finite numbers: what happened, what was restored, what to try.
func divergedAdvice(_ what: String, suggestedRate: Float) -> String {
    "\(what): training stopped and the weights from the start of the epoch were restored. "
        + "Lower the learning rate (try lr=\(suggestedRate)) or run lr_range."
}

/// A data error with what to type about it.
func remedied(_ e: DatasetError) -> String {
    switch e {
    case .unknownFormat: return e.description + "; give format=folder, csv or idx"
    case .noClassesLeft: return e.description + "; lower min_per_class"
    default: return e.description
    }
}

/// A model file error with what to type about it.
func remedied(_ e: ModelStoreError) -> String {
    switch e {
    case .noLoupeMetadata: return e.description + "; for torchvision weights use import_model (or resnet DEPTH weights=\"FILE\")"
    case .weightsDoNotFit(_, let depth, _): return e.description + " — is arch=resnet\(depth) right?"
    default: return e.description
    }
}

extension ReviewWarning {
    /// The review's finding with its remedy, as `review`, `r.warnings` and reports show it.
    var text: String {
        switch kind {
        case .underHalfOfLargest: return message + ": consider class_weights=auto or more images"
        default: return message
        }
    }
}
