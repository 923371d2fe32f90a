import TensorCore
import NeuralNet
import Datasets

/// A dataset split seen through a model's preprocessing, as the workflow's `BatchSource`.
///
/// Training, evaluation and prediction all go through the same `Preprocessing`, so an image is
/// resized and normalised identically everywhere.
public final class DatasetBatchSource: BatchSource {
    public let dataset: Dataset
    public let preprocessing: Preprocessing
    /// Images decoded per batch side by side (training keeps 1: BLAS uses the cores).
    public let workers: Int

    public init(dataset: Dataset, preprocessing: Preprocessing, workers: Int = 1) {
        self.dataset = dataset
        self.preprocessing = preprocessing
        self.workers = workers
    }

    public var count: Int { dataset.count }
    public var classCount: Int { dataset.classes.count }
    public var countsPerClass: [Int] { dataset.counts }

    public func batches(epoch: Int, batchSize: Int, shuffle: Bool, augment: Bool, seed: UInt64, shard: Shard) -> AnyIterator<Batch> {
        let loader = BatchLoader(dataset: dataset, preprocessing: preprocessing, batchSize: batchSize, seed: seed,
                                 shuffle: shuffle, augment: augment && dataset.augmentation != nil, dropLast: false, workers: workers,
                                 shard: shard)
        let batches = loader.epoch(epoch)
        return AnyIterator {
            guard let b = batches.next() else { return nil }
            return Batch(images: b.images, labels: b.labels, indices: b.indices)
        }
    }

    /// The images of `indices` in memory (for `overfit`, which trains on a handful repeatedly).
    public func inMemory(_ indices: [Int]) -> TensorBatchSource {
        let loader = BatchLoader.inOrder(dataset.selecting(indices: indices), preprocessing: preprocessing, batchSize: max(indices.count, 1))
        let b = loader.batch(0, epoch: 0, order: Array(0..<indices.count))
        return TensorBatchSource(images: b.images, labels: b.labels, classCount: classCount)
    }
}

extension Preprocessing {
    /// The preprocessing a model records in its metadata.
    public init(_ metadata: ModelMetadata) {
        self.init(width: metadata.inputWidth, height: metadata.inputHeight, channels: metadata.architecture.inputChannels,
                  mean: metadata.normalization.mean, std: metadata.normalization.std, crop: metadata.crop)
    }
}
