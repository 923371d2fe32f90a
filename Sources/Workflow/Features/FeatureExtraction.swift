import Foundation
import Dispatch
import TensorCore
import NeuralNet
import Datasets
import Imaging
import LoupeBase

/// What preparing the features of one split did.
public struct FeatureExtractionStats: Sendable, Equatable {
    /// Image variants needed (images × copies).
    public var needed = 0
    /// Variants the backbone computed now.
    public var extracted = 0
    /// Variants read from the cache.
    public var reused = 0
    /// Cache files found truncated or damaged (recomputed, counted in `extracted` too).
    public var corrupt = 0
    /// Images that could not be read (replaced in batches as the uncached loader replaces them).
    public var unreadable = 0
    /// Files the size cap evicted afterwards.
    public var evicted = 0
    /// Wall time of the whole preparation (digests, reads, forward passes, writes).
    public var seconds = 0.0
    /// Why features could not be written to the cache (they are used from memory all the same).
    public var writeFailure: String?

    public init() {}

    public static func + (a: Self, b: Self) -> Self {
        var s = a
        s.needed += b.needed; s.extracted += b.extracted; s.reused += b.reused; s.corrupt += b.corrupt
        s.unreadable += b.unreadable; s.evicted += b.evicted; s.seconds += b.seconds
        s.writeFailure = a.writeFailure ?? b.writeFailure
        return s
    }
}

/// Computes (or reads from the cache) the pooled features of a frozen backbone for every image
/// of a split: one evaluation-mode forward pass per image and copy, BatchNorm on its running
/// statistics as in any frozen phase.
public enum FeatureExtraction {
    /// The most copies `copies=K` accepts.
    public static let maximumCopies = 100

    /// The features of `dataset` under `model`'s backbone, as a batch source the head trains on.
    ///
    /// `augmentation` (with `copies` ≥ 1) makes `copies` fixed augmented variants per image: copy k
    /// of an image is drawn from a generator seeded by the image's content digest and k, so it is
    /// the same in every run and session and can be cached. Without augmentation there is one copy,
    /// the plain preprocessed image, exactly what the uncached loader feeds the backbone.
    /// `shouldStop` is polled between batches; a stop throws `WorkflowError.interrupted` (what was
    /// computed stays in the cache).
    public static func source(model: ResNet, dataset: Dataset, preprocessing: Preprocessing,
                              augmentation: AugmentationSettings? = nil, copies: Int = 1,
                              cache: FeatureCache?, batchSize: Int = 32, workers: Int = 2,
                              backboneDigest known: String? = nil,
                              shouldStop: () -> Bool = { false },
                              progress: (_ done: Int, _ of: Int) -> Void = { _, _ in }) throws -> FeatureBatchSource {
        let started = Date()
        let augmentation = augmentation.flatMap { $0.isIdentity ? nil : $0 }
        let copyCount = augmentation == nil ? 1 : max(1, copies)
        let width = model.featureWidth
        let n = dataset.count
        let backbone = known ?? backboneDigest(model)
        var stats = FeatureExtractionStats()
        stats.needed = n * copyCount
        let imageDigests = (0..<n).map { imageDigest(dataset, $0) }
        var readable = imageDigests.map { $0 != nil }
        var features = [[Float]](repeating: [Float](repeating: 0, count: n * width), count: copyCount)
        // (copy, image, key) of every variant the cache did not hold.
        var missing: [(copy: Int, image: Int, key: String)] = []
        for k in 0..<copyCount {
            let settings = settingsDigest(preprocessing, augmentation: augmentation, copy: k)
            for i in 0..<n {
                guard let image = imageDigests[i] else { continue }
                let key = ContentDigest.of(backbone, settings, image)
                switch cache?.read(key, count: width) ?? .missing {
                case .hit(let v):
                    features[k].withUnsafeMutableBufferPointer { (($0.baseAddress! + i * width)).update(from: v, count: width) }
                    stats.reused += 1
                case .corrupt:
                    stats.corrupt += 1
                    missing.append((k, i, key))
                case .missing:
                    missing.append((k, i, key))
                }
            }
        }
        var done = stats.reused
        progress(done, stats.needed)
        let p = preprocessing
        let sampleSize = p.width * p.height * p.channels
        var start = 0
        while start < missing.count {
            if shouldStop() { throw WorkflowError.interrupted("feature extraction stopped; the features computed so far stay in the cache") }
            let chunk = Array(missing[start..<min(start + batchSize, missing.count)])
            start += chunk.count
            let tensor = Tensor(shape: [chunk.count, p.height, p.width, p.channels])
            let out = SendablePointer(tensor.data)
            let ok = FlagSlots(count: chunk.count)
            let lanes = max(1, min(workers, chunk.count))
            DispatchQueue.concurrentPerform(iterations: lanes) { lane in
                for slot in stride(from: lane, to: chunk.count, by: lanes) {
                    let (k, i, _) = chunk[slot]
                    guard let image = try? dataset.image(at: i) else { continue }
                    let f: FloatImage
                    if let augmentation {
                        var rng = copyGenerator(imageDigest: imageDigests[i]!, copy: k)
                        let draw = augmentation.draw(using: &rng)
                        f = p.render(image, draw: draw, rng: &rng)
                    } else {
                        f = p.render(image)
                    }
                    p.normalize(f, into: out.pointer + slot * sampleSize)
                    ok.set(slot)
                }
            }
            let pooled = model.backboneForward(tensor, training: false)
            for (slot, (k, i, key)) in chunk.enumerated() {
                guard ok.get(slot) else { readable[i] = false; continue }
                let row = UnsafeBufferPointer(start: pooled.data + slot * width, count: width)
                features[k].withUnsafeMutableBufferPointer { ($0.baseAddress! + i * width).update(from: row.baseAddress!, count: width) }
                stats.extracted += 1
                if let cache, stats.writeFailure == nil {
                    do { try cache.write(key, row) } catch {
                        stats.writeFailure = "\(cache.folder): \((error as NSError).localizedFailureReason ?? error.localizedDescription)"
                    }
                }
            }
            done += chunk.count
            progress(done, stats.needed)
        }
        if let cache { stats.evicted = cache.trim().files }
        stats.unreadable = readable.filter { !$0 }.count
        stats.seconds = Date().timeIntervalSince(started)
        return FeatureBatchSource(dataset: dataset, preprocessing: preprocessing, width: width, copies: features,
                                  readable: readable, backboneDigest: backbone, stats: stats)
    }

    /// The generator of copy `copy` of an image: from its content, so every run draws the same copy.
    static func copyGenerator(imageDigest: String, copy: Int) -> SeededGenerator {
        let seed = UInt64(imageDigest.prefix(16), radix: 16) ?? 0
        return SeededGenerator(seed: seed, stream: 0xC0B1_E500 &+ UInt64(copy))
    }
}

/// Per-slot flags written by worker threads (each slot by one thread). Raw memory, not an
/// array property: concurrent mutations of one stored array would trip exclusivity checking.
final class FlagSlots: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<Bool>
    init(count: Int) { storage = .allocate(capacity: max(1, count)); storage.initialize(repeating: false, count: max(1, count)) }
    deinit { storage.deallocate() }
    func set(_ i: Int) { storage[i] = true }
    func get(_ i: Int) -> Bool { storage[i] }
}

/// A raw pointer handed to worker threads that write disjoint regions of one buffer.
struct SendablePointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    init(_ p: UnsafeMutablePointer<Float>) { pointer = p }
}
