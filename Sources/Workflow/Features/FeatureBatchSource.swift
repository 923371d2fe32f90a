import TensorCore
import Datasets

/// A split's backbone features in memory, batched exactly as `DatasetBatchSource` batches the
/// images: the same epoch order from (seed, epoch), the same shard of each batch, an unreadable
/// image replaced by the next readable one in the order. The head trains on these [N, F] rows.
///
/// With several copies (augmented variants), epoch e (from 1) uses copy (e − 1) mod K.
public final class FeatureBatchSource: BatchSource {
    public let dataset: Dataset
    public let preprocessing: Preprocessing
    /// F, the features per image.
    public let width: Int
    /// [copy][image · F + j].
    let copies: [[Float]]
    let readable: [Bool]
    let labels: [Int]
    /// The backbone the features came from (`FeatureExtraction.backboneDigest`).
    public let backboneDigest: String
    /// What preparing them did (extracted, reused, time).
    public let stats: FeatureExtractionStats

    init(dataset: Dataset, preprocessing: Preprocessing, width: Int, copies: [[Float]], readable: [Bool],
         backboneDigest: String, stats: FeatureExtractionStats) {
        self.dataset = dataset; self.preprocessing = preprocessing; self.width = width
        self.copies = copies; self.readable = readable
        self.labels = dataset.samples.map { $0.label ?? -1 }
        self.backboneDigest = backboneDigest; self.stats = stats
    }

    public var count: Int { dataset.count }
    public var classCount: Int { dataset.classes.count }
    public var countsPerClass: [Int] { dataset.counts }
    public var copyCount: Int { copies.count }

    /// The copy epoch `epoch` (from 1) trains on.
    public func copy(forEpoch epoch: Int) -> Int {
        let k = copies.count
        return ((epoch - 1) % k + k) % k
    }

    /// The stored features of image `index`, copy `copy`.
    public func features(of index: Int, copy: Int = 0) -> [Float] {
        Array(copies[copy][(index * width)..<((index + 1) * width)])
    }

    public func batches(epoch: Int, batchSize: Int, shuffle: Bool, augment: Bool, seed: UInt64, shard: Shard) -> AnyIterator<Batch> {
        // The loader's own order, so cached and uncached runs see the same batches.
        let order = BatchLoader(dataset: dataset, preprocessing: preprocessing, batchSize: batchSize, seed: seed,
                                shuffle: shuffle, augment: false).order(epoch: epoch)
        let values = copies[copy(forEpoch: epoch)]
        let n = order.count, f = width
        var start = 0
        return AnyIterator {
            guard start < n else { return nil }
            let whole = start..<min(start + batchSize, n)
            let part = shard.range(whole.count)
            let positions = Array((whole.lowerBound + part.lowerBound)..<(whole.lowerBound + part.upperBound))
            start += batchSize
            let t = Tensor(shape: [positions.count, f])
            var batchLabels = [Int](repeating: -1, count: positions.count)
            values.withUnsafeBufferPointer { v in
                for (slot, position) in positions.enumerated() {
                    // The image at `position`, or the next readable one (as BatchLoader does).
                    guard let step = (0..<n).first(where: { self.readable[order[(position + $0) % n]] }) else {
                        (t.data + slot * f).update(repeating: 0, count: f)
                        continue
                    }
                    let i = order[(position + step) % n]
                    (t.data + slot * f).update(from: v.baseAddress! + i * f, count: f)
                    batchLabels[slot] = self.labels[i]
                }
            }
            return Batch(images: t, labels: batchLabels, indices: positions.map { order[$0] }, isFeatures: true)
        }
    }
}
