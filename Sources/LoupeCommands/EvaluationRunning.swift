import TensorCore
import Foundation
import LoupeLang
import Datasets
import NeuralNet
import Workflow

/// Evaluating a model value on a dataset value, with progress, Ctrl-C and messages that name the parameter.
enum EvaluationRunning {
    /// Evaluates `model` on `data` (its whole content: pass a split such as `d.test`).
    ///
    /// `dataParameter` is the argument blamed when the data does not fit the model.
    static func evaluate(_ model: ModelValue, on data: DatasetValue, dataParameter: String,
                         call: CommandInvocation) throws -> EvaluationValue {
        let classNames = try matchClasses(model, data, parameter: dataParameter, call: call)
        let dataset = data.dataset
        guard dataset.count > 0 else {
            throw CommandError.invalidArgument(parameter: dataParameter, message: "\(describe(data)) has no images to evaluate")
        }
        if data.subset == nil, data.dataset.indices(of: .train) != nil {
            call.write("note: this is every image of the dataset, training images included; evaluate on d.test (or d.val) for a fair measure")
        }
        let metadata = model.metadata
        let source = DatasetBatchSource(dataset: dataset, preprocessing: Preprocessing(metadata))
        let batchSize = metadata.inputWidth * metadata.inputHeight >= 128 * 128 ? 32 : 128
        let steps = (dataset.count + batchSize - 1) / batchSize
        call.progress.start(ProgressTask(title: "evaluate \(model.model.config.name) on \(describe(data))", steps: steps))
        var batch = 0
        let reporting = ReportingBatchSource(source) { _ in
            batch += 1
            call.progress.update(ProgressUpdate(step: batch))
        }
        let result: EvaluationResult
        do {
            result = try Workflow.evaluate(model.model, on: reporting, batchSize: batchSize, communicator: call.communicator,
                                         shouldStop: call.shouldStop)
        } catch {
            call.progress.finish(nil)
            if call.shouldStop() { throw CommandError.interrupted }
            throw CommandError.invalidArgument(parameter: dataParameter, message: "\(error)")
        }
        call.progress.finish(nil)
        return EvaluationValue(result: result, classNames: classNames, data: dataset,
                               modelName: model.model.config.name, dataName: describe(data))
    }

    /// The class names to report, after checking the model's outputs fit the dataset's labels
    /// (`ClassMatch`, the rule training follows too); a match by position is noted.
    static func matchClasses(_ model: ModelValue, _ data: DatasetValue, parameter: String, call: CommandInvocation) throws -> [String] {
        let modelClasses = model.metadata.classNames, dataClasses = data.dataset.classes
        let match: ClassMatch
        do { match = try ClassMatch.between(model: modelClasses, data: dataClasses) } catch {
            throw CommandError.invalidArgument(parameter: parameter,
                                               message: remedied(error, dataClasses: dataClasses, context: .evaluation(dataName: describe(data))))
        }
        if match == .byPosition {
            call.write("note: the model's classes (\(list(modelClasses))) are not named like the data's (\(list(dataClasses))); they are matched by position")
        }
        return dataClasses
    }

    /// "test split of quadrants", "dataset fashion-mnist".
    static func describe(_ data: DatasetValue) -> String {
        let name = URL(fileURLWithPath: data.dataset.path).lastPathComponent
        if let s = data.subset { return "\(s.rawValue) split of \(name)" }
        return "dataset \(name)"
    }

    static func list(_ names: [String]) -> String {
        names.count <= 6 ? names.joined(separator: ", ") : names.prefix(5).joined(separator: ", ") + ", … (\(names.count))"
    }
}

/// A batch source that tells its caller about every batch it hands out (for progress bars).
final class ReportingBatchSource: BatchSource {
    let base: any BatchSource
    let onBatch: (Batch) -> Void

    init(_ base: any BatchSource, onBatch: @escaping (Batch) -> Void) {
        self.base = base
        self.onBatch = onBatch
    }

    var count: Int { base.count }
    var classCount: Int { base.classCount }
    var countsPerClass: [Int] { base.countsPerClass }

    func batches(epoch: Int, batchSize: Int, shuffle: Bool, augment: Bool, seed: UInt64, shard: Shard) -> AnyIterator<Batch> {
        let inner = base.batches(epoch: epoch, batchSize: batchSize, shuffle: shuffle, augment: augment, seed: seed, shard: shard)
        return AnyIterator { [onBatch] in
            guard let batch = inner.next() else { return nil }
            onBatch(batch)
            return batch
        }
    }
}
