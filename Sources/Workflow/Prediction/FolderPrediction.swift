import Foundation
import NeuralNet
import TensorCore
import Datasets

/// One class and the probability the model gives it.
public struct RankedClass: Sendable, Equatable, Codable {
    public var label: String
    public var confidence: Double

    public init(label: String, confidence: Double) {
        self.label = label
        self.confidence = confidence
    }
}

/// What the model says about one image file: its classes by decreasing probability.
public struct FilePrediction: Sendable, Equatable, Codable {
    public var path: String
    /// At least one class, most probable first.
    public var top: [RankedClass]
    /// The image's content digest (`contentDigest`): how `verify` finds the prediction again
    /// after the file was renamed or moved.
    public var digest: String?

    public init(path: String, top: [RankedClass], digest: String? = nil) {
        precondition(!top.isEmpty, "a prediction has at least one class")
        self.path = path
        self.top = top
        self.digest = digest
    }

    /// The predicted class.
    public var label: String { top[0].label }
    /// The predicted class's probability.
    public var confidence: Double { top[0].confidence }
}

/// The result of predicting over a folder: one prediction per readable image, and the files skipped.
public struct FolderPrediction: Sendable {
    public var predictions: [FilePrediction]
    public var unreadable: [UnreadableFile]
    /// Files left out because their names say they are not images (`notes.txt`).
    public var ignored: [String] = []
}

/// Classifies every image below `folder` with `model`, in path order.
///
/// Images go through the model's own preprocessing (`Preprocessing(metadata)`), the same path as
/// training and evaluation. Files that cannot be decoded are skipped and returned in `unreadable`.
/// `progress(done, total)` is called after each batch; `shouldStop` is polled before each batch
/// and stops with `PredictionError.interrupted`. With a communicator each rank decodes and
/// classifies its rows of every batch, and every rank receives all predictions in path order.
public func predictFolder(_ model: ResNet, metadata: ModelMetadata, folder: String, top: Int = 3, batchSize: Int = 64,
                          communicator: Communicator? = nil, shouldStop: () -> Bool = { false },
                          progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws -> FolderPrediction {
    guard top >= 1 else { throw WorkflowError.invalidParameter(name: "top", reason: "must be at least 1, got \(top)") }
    let classes = metadata.classNames
    guard classes.count == model.config.classes else {
        throw WorkflowError.mismatch("the model has \(model.config.classes) outputs but its metadata names \(classes.count) classes")
    }
    // Files are decoded once, batch by batch (not verified up front), so progress covers all the work.
    var options = FileLoadOptions()
    options.verify = false
    let dataset = try Dataset.loadUnlabelled(folder, options: options)
    // Decoding and the forward pass take turns (no prefetch), so decoding may use every core.
    let shard = Shard(communicator)
    // Whole decodes: each prediction's digest is of the whole picture (what `verify` computes from
    // the copied file), and the loader's decode is the one the digest reads back from the cache.
    let loader = BatchLoader.inOrder(dataset, preprocessing: Preprocessing(metadata), batchSize: batchSize,
                                     workers: Parallel.threads, shard: shard,
                                     reducedDecoding: false)
    let order = Array(0..<dataset.count)
    // (position in path order, prediction): ranks hold interleaved parts of the order.
    var predictions: [(Int, FilePrediction)] = []
    predictions.reserveCapacity(dataset.count)
    progress(0, dataset.count)
    for b in 0..<loader.batchCount {
        if communicator?.agree(shouldStop()) ?? shouldStop() {
            throw PredictionError.interrupted(done: min(dataset.count, b * batchSize), total: dataset.count)
        }
        let batch = loader.batch(b, epoch: 0, order: order)
        if !batch.indices.isEmpty {
            let logits = model.forward(batch.images, training: false)
            for (row, probabilities) in softmaxRows(logits).enumerated() {
                let ranked = probabilities.indices.sorted { probabilities[$0] != probabilities[$1] ? probabilities[$0] > probabilities[$1] : $0 < $1 }
                let index = batch.indices[row]
                // The loader just decoded the image, so the store usually hands it back from its cache.
                let digest = (try? dataset.image(at: index)).map(contentDigest)
                predictions.append((index, FilePrediction(path: dataset.samples[index].name,
                                                          top: ranked.prefix(top).map { RankedClass(label: classes[$0], confidence: probabilities[$0]) },
                                                          digest: digest)))
            }
        }
        progress(min(dataset.count, (b + 1) * batchSize), dataset.count)
    }
    // The loader stands the next readable image in for a file that fails to decode: drop those rows.
    var unreadable = dataset.unreadable
    var failures = loader.unreadable
    if let communicator, communicator.size > 1 {
        struct Row: Codable { let position: Int; let prediction: FilePrediction }
        predictions = communicator.allGather(predictions.map { Row(position: $0.0, prediction: $0.1) })
            .sorted { $0.position < $1.position }.map { ($0.position, $0.prediction) }
        failures = communicator.allGather(failures)
    }
    for failure in failures where !unreadable.contains(where: { $0.path == failure.path }) { unreadable.append(failure) }
    let failed = Set(unreadable.map(\.path))
    let kept = predictions.map(\.1).filter { !failed.contains($0.path) }
    unreadable.sort { $0.path < $1.path }
    return FolderPrediction(predictions: kept, unreadable: unreadable, ignored: dataset.ignoredFiles)
}
