import TensorCore
import LoupeBase

/// A batch of images in the engine's layout and their labels.
public struct Batch {
    /// [N, H, W, C], normalised as the model expects.
    public let images: Tensor
    public let labels: [Int]
    /// Index of each image in its dataset (for mistakes and predictions).
    public let indices: [Int]
    /// `images` holds pooled backbone features [N, F] (a cached frozen phase), not pixels:
    /// the model runs its head alone on them.
    public let isFeatures: Bool

    public init(images: Tensor, labels: [Int], indices: [Int], isFeatures: Bool = false) {
        self.images = images; self.labels = labels; self.indices = indices; self.isFeatures = isFeatures
    }
}

/// What the workflow needs of a labelled dataset split: batches in a seeded order.
///
/// The Datasets layer's loader conforms to this (see `DatasetBatchSource`); tests use small
/// in-memory sources.
public protocol BatchSource: AnyObject {
    /// Number of images.
    var count: Int { get }
    var classCount: Int { get }
    /// Images per class, in class order (for class weights and batch-size choices).
    var countsPerClass: [Int] { get }
    /// The batches of one pass. `shuffle` orders them by (seed, epoch); `augment` applies the
    /// training-time augmentation. Deterministic for a given seed and epoch. `shard` keeps only
    /// this rank's rows of each batch (data-parallel training; `.whole` for one process).
    func batches(epoch: Int, batchSize: Int, shuffle: Bool, augment: Bool, seed: UInt64, shard: Shard) -> AnyIterator<Batch>
}

extension BatchSource {
    /// The whole of every batch (one process).
    public func batches(epoch: Int, batchSize: Int, shuffle: Bool, augment: Bool, seed: UInt64) -> AnyIterator<Batch> {
        batches(epoch: epoch, batchSize: batchSize, shuffle: shuffle, augment: augment, seed: seed, shard: .whole)
    }

    /// Batches in order, unaugmented, this shard's rows of each.
    public func evaluationBatches(batchSize: Int, shard: Shard) -> AnyIterator<Batch> {
        batches(epoch: 0, batchSize: batchSize, shuffle: false, augment: false, seed: 0, shard: shard)
    }

    /// Batches in order, unaugmented: for evaluation.
    public func evaluationBatches(batchSize: Int) -> AnyIterator<Batch> {
        batches(epoch: 0, batchSize: batchSize, shuffle: false, augment: false, seed: 0)
    }
}

/// A labelled set held in memory as one NHWC tensor (tests, small subsets, `overfit`).
public final class TensorBatchSource: BatchSource {
    public let images: Tensor
    public let labels: [Int]
    public let classCount: Int

    public init(images: Tensor, labels: [Int], classCount: Int) {
        precondition(images.shape[0] == labels.count)
        self.images = images; self.labels = labels; self.classCount = classCount
    }

    public var count: Int { labels.count }
    public var countsPerClass: [Int] {
        var c = [Int](repeating: 0, count: classCount)
        for l in labels { c[l] += 1 }
        return c
    }

    public func batches(epoch: Int, batchSize: Int, shuffle: Bool, augment: Bool, seed: UInt64, shard: Shard) -> AnyIterator<Batch> {
        var order = Array(0..<count)
        if shuffle {
            var rng = SeededGenerator(seed: seed, stream: 0x5EED_0000 &+ UInt64(epoch))
            order = rng.permutation(count).map { order[$0] }
        }
        let per = images.count / max(count, 1)
        let shape = Array(images.shape.dropFirst())
        var start = 0
        return AnyIterator {
            guard start < order.count else { return nil }
            let whole = start..<min(order.count, start + batchSize)
            let part = shard.range(whole.count)
            let idx = Array(order[(whole.lowerBound + part.lowerBound)..<(whole.lowerBound + part.upperBound)])
            start += batchSize
            let t = Tensor(shape: [idx.count] + shape)
            for (k, i) in idx.enumerated() { (t.data + k * per).update(from: self.images.data + i * per, count: per) }
            return Batch(images: t, labels: idx.map { self.labels[$0] }, indices: idx)
        }
    }

    /// A subset by indices, e.g. the five images of `overfit`.
    public func subset(_ indices: [Int]) -> TensorBatchSource {
        let per = images.count / max(count, 1)
        let t = Tensor(shape: [indices.count] + Array(images.shape.dropFirst()))
        for (k, i) in indices.enumerated() { (t.data + k * per).update(from: images.data + i * per, count: per) }
        return TensorBatchSource(images: t, labels: indices.map { labels[$0] }, classCount: classCount)
    }
}
