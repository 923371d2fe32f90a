import Foundation
import LoupeLang
import TensorCore
import NeuralNet
import Datasets
import Workflow
import LoupeBase

/// The data a training command works on: the training images and, when there is one, the
/// validation split, both seen through the model's preprocessing.
struct TrainingData {
    let train: DatasetBatchSource
    let dev: DatasetBatchSource?
    /// Why there is no dev set (printed by `train`), nil when there is one.
    let noDevReason: String?

    /// The split `train`, `lr_range` and `fine_tune` use: `d.train` and `d.val` of a split
    /// dataset. A dataset without a split is refused (see docs/decisions/training.md); a subset
    /// value (`d.train`) trains on all of it with no dev set.
    static func resolve(_ data: DatasetValue, model: ModelValue, parameter: String = "d", needsDev: Bool = true) throws -> TrainingData {
        let preprocessing = Preprocessing(model.metadata)
        let trainSet: Dataset, devSet: Dataset?
        var reason: String?
        if data.subset != nil {
            trainSet = data.dataset
            devSet = nil
            reason = "trained on all \(data.dataset.count) images of the \(data.subset!.rawValue) split with no dev set: losses and accuracies are on training images"
        } else if data.dataset.split != nil, let t = data.dataset.subset(.train) {
            trainSet = t
            devSet = data.dataset.subset(.val).flatMap { $0.count > 0 ? $0 : nil }
            if devSet == nil { reason = "the split has no validation images (val=0): no dev loss, no early stopping" }
        } else if !needsDev {
            trainSet = data.dataset.subset(.train) ?? data.dataset
            devSet = nil
        } else {
            throw CommandError.invalidArgument(parameter: parameter,
                message: "the dataset has no train/validation split yet: run `split d` first (or pass d.train to train on it without a dev set)")
        }
        guard trainSet.count > 0 else {
            throw CommandError.invalidArgument(parameter: parameter, message: "the training split is empty")
        }
        try checkClasses(model: model, classes: trainSet.classes, parameter: parameter)
        return TrainingData(train: DatasetBatchSource(dataset: trainSet, preprocessing: preprocessing),
                            dev: devSet.map { DatasetBatchSource(dataset: $0, preprocessing: preprocessing, workers: 2) },
                            noDevReason: reason)
    }

    /// The model's outputs must be the dataset's classes (`ClassMatch`, the rule evaluation
    /// follows too). A model built with `classes=N` has the names "0"…"N-1" and is matched by
    /// position; the run adopts the dataset's names when it records itself in the model.
    static func checkClasses(model: ModelValue, classes: [String], parameter: String) throws {
        do { _ = try ClassMatch.between(model: model.metadata.classNames, data: classes) } catch {
            throw CommandError.invalidArgument(parameter: parameter, message: remedied(error, dataClasses: classes, context: .training))
        }
    }
}

extension CommandInvocation {
    /// A fresh 64-bit seed from the session's seed and the next stream, so replays draw the same.
    func drawSeed() -> UInt64 {
        var rng = SeededGenerator(seed: session.seed, stream: session.nextRandomStream())
        return rng.next()
    }
}

/// Turns lower layers' errors into messages whose caret points at the parameter at fault.
func commandError(_ error: Error, parameter fallback: String? = nil) -> Error {
    switch error {
    case let e as WorkflowError:
        switch e {
        case .invalidParameter(let name, let reason): return CommandError.invalidArgument(parameter: name, message: reason)
        case .interrupted: return CommandError.interrupted
        case .noData, .mismatch, .classCountMismatch, .classOrderDiffers, .classNamesDiffer, .emptyTrainingSplit, .cachedFeaturesNeedFrozenBackbone:
            let m = remedied(e)
            return fallback.map { CommandError.invalidArgument(parameter: $0, message: m) } ?? CommandError.failed(m)
        case .needsValidationSplit(let parameter): return CommandError.invalidArgument(parameter: parameter, message: remedied(e))
        }
    case let e as NeuralNetError:
        return fallback.map { CommandError.invalidArgument(parameter: $0, message: e.description) } ?? CommandError.failed(e.description)
    default:
        return error
    }
}

/// Runs `body`, rethrowing lower layers' errors as command errors.
func mapErrors<T>(parameter: String? = nil, _ body: () throws -> T) throws -> T {
    do { return try body() } catch { throw commandError(error, parameter: parameter) }
}

/// Runs a Workflow task that polls Ctrl-C: a stop becomes `CommandError.interrupted` (exit 130
/// in scripts), other errors name `parameter`.
func interruptible<T>(_ call: CommandInvocation, parameter: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch {
        if call.shouldStop() { throw CommandError.interrupted }
        throw commandError(error, parameter: parameter)
    }
}

/// A rate rounded to one significant digit (0.0333 → 0.03), as advice should read.
func roundRate(_ v: Double) -> Double {
    guard v > 0, v.isFinite else { return v }
    let magnitude = pow(10, (log10(v)).rounded(.down))
    return (v / magnitude).rounded() * magnitude
}

/// True when the call is a statement of its own, whose result the interpreter prints anyway
/// (`train m d`, not `run = train m d`): then the command does not write the summary itself.
func resultIsShown(_ call: CommandInvocation) -> Bool { call.resultIsShown }
