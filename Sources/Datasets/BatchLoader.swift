import Dispatch
import Imaging
import TensorCore
import LoupeBase

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
    /// The smallest picture every sample is decoded to (a JPEG at libjpeg's reduced scale when it
    /// stays at least this large); nil: whole. See `decodeTarget(for:augmentation:)`.
    public let decodeTarget: ImageSize?

    /// `reducedDecoding`: decode large JPEGs at the scale the model input needs (false: whole,
    /// for callers that also need the whole picture, such as prediction's content digests).
    public init(dataset: Dataset, preprocessing: Preprocessing, batchSize: Int, seed: UInt64,
                shuffle: Bool = true, augment: Bool = true, dropLast: Bool = false, workers: Int = 1, shard: Shard = .whole,
                reducedDecoding: Bool = true) {
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
        self.decodeTarget = reducedDecoding ? Self.decodeTarget(for: preprocessing, augmentation: augmentation) : nil
    }

    /// The smallest source picture that the model input never samples at less than one source
    /// pixel per input pixel, whatever the augmentation draws: the input size divided by the
    /// smallest share of the picture a draw can show (the preprocessing's centre `crop`, then `crop` keeps at least √(0.75·(1 − crop)) of
    /// a side, `zoom` enlarges by up to 1 + zoom; rotations and shears do not shorten a step),
    /// on both sides when quarter turns may swap them. A picture decoded at least this large is
    /// never enlarged more than a whole decode would be.
    public static func decodeTarget(for p: Preprocessing, augmentation: AugmentationSettings?) -> ImageSize {
        // A centre crop (pretrained weights' preprocessing) shows only that share of each side.
        var share = p.crop ?? 1.0
        if let a = augmentation {
            if a.crop > 0 { share *= (0.75 * (1 - a.crop)).squareRoot() }
            if a.zoom > 0 { share /= 1 + a.zoom }
        }
        var width = Int((Double(p.width) / share).rounded(.up)), height = Int((Double(p.height) / share).rounded(.up))
        if augmentation?.rotate90 == true { width = max(width, height); height = width }
        return ImageSize(width: width, height: height)
    }
    /// An in-order, unaugmented loader (evaluation, prediction).
    public static func inOrder(_ dataset: Dataset, preprocessing: Preprocessing, batchSize: Int, workers: Int = 1,
                               shard: Shard = .whole, reducedDecoding: Bool = true) -> BatchLoader {
        BatchLoader(dataset: dataset, preprocessing: preprocessing, batchSize: batchSize, seed: 0,
                    shuffle: false, augment: false, dropLast: false, workers: workers, shard: shard,
                    reducedDecoding: reducedDecoding)
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
                let draw = augmentation?.draw(using: &rng)
                // The decode's share of the budget is held until the pixels are the small rendered input.
                let label = withReadableImage(at: positions[slot], order: order) { image in
                    let f = p.render(image, draw: draw, rng: &rng)
                    p.normalize(f, into: out.pointer + slot * sampleSize)
                }
                labelOut.set(slot, label)
            }
        }
        for i in labels.indices { labels[i] = labelOut.get(i) }
        return ImageBatch(images: tensor, labels: labels, indices: positions.map { order[$0] })
    }

    /// Calls `body` with the image at `position` of the order, or the next readable one after it;
    /// gives its label.
    private func withReadableImage(at position: Int, order: [Int], _ body: (Image) -> Void) -> Int {
        let target = decodeTarget.map { (width: $0.width, height: $0.height) }
        for step in 0..<order.count {
            let i = order[(position + step) % order.count]
            if (try? dataset.withImage(at: i, atLeast: target, body)) != nil { return dataset.samples[i].label ?? -1 }
        }
        // Nothing in the dataset decodes: a black image keeps the shapes valid; `unreadable` lists every file.
        body(Image(width: 1, height: 1, channels: preprocessing.channels))
        return -1
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
