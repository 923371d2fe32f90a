import Dispatch
import Imaging
import TensorCore

/// One batch: images as an N×H×W×C float tensor, their labels (−1 when unlabelled) and sample indices.
public struct ImageBatch: Sendable {
    public let images: Tensor
    public let labels: [Int]
    /// Indices into the loader's dataset, in batch order.
    public let indices: [Int]
}

/// Turns a dataset into batches for a model: shuffled, augmented and seeded per epoch for
/// training, or in order and unaugmented for evaluation and prediction.
///
/// Determinism: the epoch's order comes from (seed, epoch) and each sample's augmentation from
/// its own generator seeded by (seed, epoch, sample index), so batches are identical whatever
/// the thread timing or the number of workers. A file that fails to decode is replaced by the
/// next readable sample in the epoch's order (listed in `unreadable`), keeping batch sizes fixed.
public final class BatchLoader: Sendable {
    public let dataset: Dataset
    public let preprocessing: Preprocessing
    public let batchSize: Int
    public let seed: UInt64
    public let shuffle: Bool
    /// The augmentation applied, nil for none (never set for evaluation).
    public let augmentation: AugmentationSettings?
    public let dropLast: Bool
    /// Threads that decode and augment the samples of one batch side by side.
    public let workers: Int
    /// The rows of every batch this process makes (data-parallel ranks each make their part).
    public let shard: Shard

    public init(dataset: Dataset, preprocessing: Preprocessing, batchSize: Int, seed: UInt64,
                shuffle: Bool = true, augment: Bool = true, dropLast: Bool = false, workers: Int = 1, shard: Shard = .whole) {
        precondition(batchSize > 0 && workers > 0, "batch size and workers must be positive")
        self.dataset = dataset
        self.preprocessing = preprocessing
        self.batchSize = batchSize
        self.seed = seed
        self.shuffle = shuffle
        self.augmentation = augment ? dataset.augmentation.flatMap { $0.isIdentity ? nil : $0 } : nil
        self.dropLast = dropLast
        self.workers = workers
        self.shard = shard
    }

    /// An in-order, unaugmented loader (evaluation, prediction).
    public static func inOrder(_ dataset: Dataset, preprocessing: Preprocessing, batchSize: Int, workers: Int = 1,
                               shard: Shard = .whole) -> BatchLoader {
        BatchLoader(dataset: dataset, preprocessing: preprocessing, batchSize: batchSize, seed: 0,
                    shuffle: false, augment: false, dropLast: false, workers: workers, shard: shard)
    }

    /// Batches per epoch.
    public var batchCount: Int {
        dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
    }

    /// The sample order of an epoch.
    public func order(epoch: Int) -> [Int] {
        guard shuffle else { return Array(0..<dataset.count) }
        var rng = SeededGenerator(seed: seed, stream: 0x5A0F_F1E0 &+ UInt64(epoch))
        return rng.permutation(dataset.count)
    }

    /// The generator of one sample's augmentation in one epoch.
    public func sampleGenerator(epoch: Int, index: Int) -> SeededGenerator {
        var epochRNG = SeededGenerator(seed: seed, stream: 0xE90C_0000 &+ UInt64(epoch))
        return SeededGenerator(seed: epochRNG.next(), stream: UInt64(index))
    }

    /// Files that failed to decode so far.
    public var unreadable: [UnreadableFile] { dataset.store.failures }

    /// Builds batch `number` of an epoch on the calling thread (the background iterator uses this too):
    /// this shard's rows of it. Each sample's augmentation depends only on (seed, epoch, sample),
    /// so the shards of all ranks together are exactly the batch one process would make.
    public func batch(_ number: Int, epoch: Int, order: [Int]) -> ImageBatch {
        let start = number * batchSize
        let whole = start..<min(start + batchSize, order.count)
        let part = shard.range(whole.count)
        let positions = Array((whole.lowerBound + part.lowerBound)..<(whole.lowerBound + part.upperBound))
        let p = preprocessing
        let sampleSize = p.width * p.height * p.channels
        let tensor = Tensor(shape: [positions.count, p.height, p.width, p.channels])
        let out = SendablePointer(tensor.data)
        var labels = [Int](repeating: -1, count: positions.count)
        let labelOut = LabelSlots(count: positions.count)
        let lanes = min(workers, positions.count)
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            for slot in stride(from: lane, to: positions.count, by: lanes) {
                let index = order[positions[slot]]
                var rng = sampleGenerator(epoch: epoch, index: index)
                let (image, label) = readableImage(at: positions[slot], order: order)
                let draw = augmentation?.draw(using: &rng)
                let f = p.render(image, draw: draw, rng: &rng)
                p.normalize(f, into: out.pointer + slot * sampleSize)
                labelOut.set(slot, label)
            }
        }
        for i in labels.indices { labels[i] = labelOut.get(i) }
        return ImageBatch(images: tensor, labels: labels, indices: positions.map { order[$0] })
    }

    /// The image at `position` of the order, or the next readable one after it.
    private func readableImage(at position: Int, order: [Int]) -> (Image, Int) {
        for step in 0..<order.count {
            let i = order[(position + step) % order.count]
            if let image = try? dataset.image(at: i) { return (image, dataset.samples[i].label ?? -1) }
        }
        // Nothing in the dataset decodes: a black image keeps the shapes valid; `unreadable` lists every file.
        return (Image(width: 1, height: 1, channels: preprocessing.channels), -1)
    }

    /// The batches of one epoch, made on a background thread up to `prefetch` batches ahead.
    public func epoch(_ epoch: Int, prefetch: Int = 2) -> EpochBatches {
        EpochBatches(loader: self, epoch: epoch, prefetch: max(1, prefetch))
    }
}

/// A raw pointer handed to worker threads that write disjoint regions of one buffer.
struct SendablePointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    init(_ p: UnsafeMutablePointer<Float>) { pointer = p }
}

/// Label slots written by worker threads (each slot by exactly one thread).
final class LabelSlots: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<Int>
    init(count: Int) { storage = .allocate(capacity: max(1, count)); storage.initialize(repeating: -1, count: max(1, count)) }
    deinit { storage.deallocate() }
    func set(_ i: Int, _ v: Int) { storage[i] = v }
    func get(_ i: Int) -> Int { storage[i] }
}
