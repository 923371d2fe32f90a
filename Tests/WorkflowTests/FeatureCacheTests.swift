import XCTest
import Foundation
import TensorCore
import NeuralNet
import Datasets
import Imaging
@testable import Workflow
import LoupeBase

/// The frozen phase on cached features (issue 15): the same computation as the uncached phase,
/// reused across runs, keyed by backbone, preprocessing and content, bounded, and never trusting
/// a damaged file.
final class FeatureCacheTests: XCTestCase {
    var folder = ""

    override func setUp() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-features-\(UUID().uuidString)").path
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    /// 12x12 grey images: class k has a bright square in quadrant k, plus noise.
    func quadrantImages(_ count: Int, seed: UInt64) -> Dataset {
        var rng = SeededGenerator(seed: seed)
        var images: [Image] = [], labels: [Int?] = []
        for n in 0..<count {
            let label = n % 4
            var pixels = (0..<144).map { _ in UInt8(rng.nextInt(below: 40)) }
            let oy = (label / 2) * 6 + rng.nextInt(below: 2), ox = (label % 2) * 6 + rng.nextInt(below: 2)
            for y in oy..<(oy + 4) { for x in ox..<(ox + 4) { pixels[y * 12 + x] = 200 } }
            images.append(Image(width: 12, height: 12, channels: 1, pixels: pixels))
            labels.append(label)
        }
        return try! Dataset.inMemory(images: images, labels: labels, classes: ["a", "b", "c", "d"])
    }

    let preprocessing = Preprocessing(width: 12, height: 12, channels: 1, mean: [0.2], std: [0.3])

    func model(hidden: Bool, seed: UInt64 = 3) -> ResNet {
        var c = try! ResNetConfig.resnet(depth: 20, classes: 4, inputChannels: 1, hidden: hidden ? 16 : nil, dropout: 0.3)
        c.stages = [1, 1, 1]
        let m = ResNet(c, seed: seed)
        m.freezeBackbone(true)
        return m
    }

    func options() -> TrainingOptions {
        var o = TrainingOptions()
        o.epochs = 3; o.batchSize = 8; o.learningRate = 0.05; o.seed = 11
        return o
    }

    func everything(_ m: ResNet) -> [Float] { m.state().flatMap(\.values) }

    func features(_ m: ResNet, _ d: Dataset, cache: FeatureCache?, preprocessing p: Preprocessing? = nil,
                  augmentation: AugmentationSettings? = nil, copies: Int = 1) throws -> FeatureBatchSource {
        try FeatureExtraction.source(model: m, dataset: d, preprocessing: p ?? preprocessing, augmentation: augmentation,
                                     copies: copies, cache: cache)
    }

    /// Head-only training on cached features gives the weights and dev accuracy of the uncached
    /// run (same batches, order, seeds, dropout masks); only float summation order differs.
    func checkCachedMatchesUncached(hidden: Bool) throws {
        let train = quadrantImages(36, seed: 1), dev = quadrantImages(12, seed: 2)
        let plain = try TrainingRun(model: model(hidden: hidden), train: DatasetBatchSource(dataset: train, preprocessing: preprocessing),
                                    dev: DatasetBatchSource(dataset: dev, preprocessing: preprocessing), options: options())
        try plain.run()
        let m = model(hidden: hidden)
        let cache = FeatureCache(folder: folder)
        let cached = try TrainingRun(model: m, train: features(m, train, cache: cache), dev: features(m, dev, cache: cache), options: options())
        XCTAssertTrue(cached.usesCachedFeatures)
        try cached.run()
        let a = everything(plain.model), b = everything(cached.model)
        XCTAssertEqual(a.count, b.count)
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThan(worst, 1e-4, "hidden \(hidden): cached weights differ from uncached by \(worst)")
        XCTAssertNotEqual(everything(model(hidden: hidden)), b, "the head trained")
        XCTAssertEqual(plain.history.map(\.devAccuracy), cached.history.map(\.devAccuracy), "the same dev accuracy every epoch")
        for (p, c) in zip(plain.history, cached.history) {
            XCTAssertEqual(p.trainLoss, c.trainLoss, accuracy: 1e-4)
            XCTAssertEqual(p.devLoss!, c.devLoss!, accuracy: 1e-4)
        }
    }

    func testCachedHeadTrainsLikeUncached() throws { try checkCachedMatchesUncached(hidden: false) }
    func testCachedHeadWithDropoutTrainsLikeUncached() throws { try checkCachedMatchesUncached(hidden: true) }

    func testSecondRunReusesTheCache() throws {
        let d = quadrantImages(20, seed: 1), m = model(hidden: false), cache = FeatureCache(folder: folder)
        let first = try features(m, d, cache: cache)
        XCTAssertEqual(first.stats.extracted, 20)
        XCTAssertEqual(first.stats.reused, 0)
        let second = try features(model(hidden: false), d, cache: cache)
        XCTAssertEqual(second.stats.extracted, 0, "nothing extracted the second time")
        XCTAssertEqual(second.stats.reused, 20)
        for i in 0..<20 { XCTAssertEqual(first.features(of: i), second.features(of: i)) }
        // Another split of the same images (a subset, another order) reuses them too.
        let subset = try features(m, d.selecting(indices: [5, 3, 1]), cache: cache)
        XCTAssertEqual(subset.stats.reused, 3)
        XCTAssertEqual(subset.features(of: 0), first.features(of: 5))
        // The head is not part of the key: a new output layer keeps the features.
        let newHead = model(hidden: false, seed: 3)
        newHead.arena.values[newHead.arena.entry(named: "fc.weight")!.offset] += 1
        XCTAssertEqual(try features(newHead, d, cache: cache).stats.extracted, 0)
    }

    func testChangedBackboneOrPreprocessingReextracts() throws {
        let d = quadrantImages(8, seed: 1), cache = FeatureCache(folder: folder)
        let m = model(hidden: false)
        let before = try features(m, d, cache: cache)
        let changed = model(hidden: false)
        changed.arena.values[changed.arena.entry(named: "conv1.weight")!.offset] += 0.5
        changed.arena.didWrite()
        let after = try features(changed, d, cache: cache)
        XCTAssertEqual(after.stats.extracted, 8, "a changed backbone weight re-extracts")
        XCTAssertNotEqual(after.features(of: 0), before.features(of: 0))
        let statistics = model(hidden: false)
        statistics.norms[0].runningMean[0] += 0.1
        XCTAssertEqual(try features(statistics, d, cache: cache).stats.extracted, 8, "changed BatchNorm statistics re-extract")
        let other = Preprocessing(width: 12, height: 12, channels: 1, mean: [0.5], std: [0.3])
        XCTAssertEqual(try features(m, d, cache: cache, preprocessing: other).stats.extracted, 8, "a changed normalisation re-extracts")
        let bigger = Preprocessing(width: 16, height: 16, channels: 1, mean: [0.2], std: [0.3])
        XCTAssertEqual(try features(m, d, cache: cache, preprocessing: bigger).stats.extracted, 8, "a changed size re-extracts")
        XCTAssertEqual(try features(m, d, cache: cache).stats.extracted, 0, "the first setting is still cached")
    }

    func testTinyCapEvictsLeastRecentlyUsed() throws {
        let d = quadrantImages(10, seed: 1), m = model(hidden: false)
        // What one file takes on this file system (whole blocks).
        let probe = FeatureCache(folder: folder + "/probe")
        _ = try features(m, d.selecting(indices: [0]), cache: probe)
        let fileBytes = try XCTUnwrap(probe.entries().first?.bytes)
        XCTAssertGreaterThanOrEqual(fileBytes, Int64(FeatureCache.headerBytes + 4 * m.featureWidth))
        let cache = FeatureCache(folder: folder + "/tiny", capacity: 4 * fileBytes)
        let s = try features(m, d, cache: cache)
        XCTAssertEqual(s.stats.evicted, 6)
        XCTAssertLessThanOrEqual(cache.size, 4 * fileBytes)
        XCTAssertEqual(cache.entries().count, 4)

        // Least recently used first: reading a file keeps it.
        let keys = (0..<3).map { String(repeating: "\($0)", count: 64) }
        let sizing = FeatureCache(folder: folder + "/sizing")
        try [Float(1), 2].withUnsafeBufferPointer { try sizing.write(keys[0], $0) }
        let lru = FeatureCache(folder: folder + "/lru", capacity: 2 * sizing.size)
        for k in keys {
            try [Float(1), 2].withUnsafeBufferPointer { try lru.write(k, $0) }
            usleep(20_000)
        }
        XCTAssertEqual(lru.read(keys[0], count: 2), .hit([1, 2]))
        usleep(20_000)
        XCTAssertEqual(lru.trim().files, 1)
        XCTAssertEqual(lru.read(keys[1], count: 2), .missing, "the least recently used went")
        XCTAssertEqual(lru.read(keys[0], count: 2), .hit([1, 2]))
        XCTAssertEqual(lru.read(keys[2], count: 2), .hit([1, 2]))
    }

    func testCorruptOrTruncatedFilesAreRecomputed() throws {
        let d = quadrantImages(6, seed: 1), m = model(hidden: false), cache = FeatureCache(folder: folder)
        let clean = try features(m, d, cache: cache)
        let files = cache.entries().map(\.path).sorted()
        XCTAssertEqual(files.count, 6)
        // Truncate one, flip a payload bit in another, garble a header.
        let truncated = try Data(contentsOf: URL(fileURLWithPath: files[0]))
        try truncated.prefix(truncated.count - 3).write(to: URL(fileURLWithPath: files[0]))
        var flipped = try Data(contentsOf: URL(fileURLWithPath: files[1]))
        flipped[40] ^= 0x10
        try flipped.write(to: URL(fileURLWithPath: files[1]))
        var header = try Data(contentsOf: URL(fileURLWithPath: files[2]))
        header[9] ^= 0xFF
        try header.write(to: URL(fileURLWithPath: files[2]))
        let again = try features(m, d, cache: cache)
        XCTAssertEqual(again.stats.corrupt, 3)
        XCTAssertEqual(again.stats.extracted, 3)
        XCTAssertEqual(again.stats.reused, 3)
        for i in 0..<6 { XCTAssertEqual(again.features(of: i), clean.features(of: i), "image \(i)") }
        XCTAssertEqual(try features(m, d, cache: cache).stats.reused, 6, "the rewritten files are whole again")
    }

    func testCopiesAreDeterministicAndDistinct() throws {
        var augmentation = AugmentationSettings()
        augmentation.rotate = 30; augmentation.flipH = true; augmentation.translate = 0.2; augmentation.originals = 0
        var d = quadrantImages(8, seed: 1)
        d.augmentation = augmentation
        let m = model(hidden: false)
        let a = try features(m, d, cache: FeatureCache(folder: folder), augmentation: augmentation, copies: 3)
        XCTAssertEqual(a.copyCount, 3)
        XCTAssertEqual(a.stats.extracted, 24)
        // Distinct per copy, and none is the unaugmented image.
        let plain = try features(m, d, cache: nil)
        for i in 0..<8 {
            let c = (0..<3).map { a.features(of: i, copy: $0) }
            XCTAssertNotEqual(c[0], c[1], "image \(i)"); XCTAssertNotEqual(c[1], c[2]); XCTAssertNotEqual(c[0], c[2])
            XCTAssertFalse(c.contains(plain.features(of: i)))
        }
        // The same copies in another cache folder (another session), computed afresh.
        let b = try features(model(hidden: false), d, cache: FeatureCache(folder: folder + "/other"), augmentation: augmentation, copies: 3)
        XCTAssertEqual(b.stats.extracted, 24)
        for i in 0..<8 { for k in 0..<3 { XCTAssertEqual(a.features(of: i, copy: k), b.features(of: i, copy: k)) } }
        // Epoch e trains on copy (e - 1) mod K.
        XCTAssertEqual((1...7).map(a.copy(forEpoch:)), [0, 1, 2, 0, 1, 2, 0])
        func firstRow(_ epoch: Int) -> [Float] {
            let batch = a.batches(epoch: epoch, batchSize: 8, shuffle: false, augment: true, seed: 1).next()!
            return Array(UnsafeBufferPointer(start: batch.images.data, count: a.width))
        }
        XCTAssertEqual(firstRow(1), a.features(of: 0, copy: 0))
        XCTAssertEqual(firstRow(2), a.features(of: 0, copy: 1))
        XCTAssertEqual(firstRow(4), a.features(of: 0, copy: 0))
        // Other settings are other copies.
        var stronger = augmentation
        stronger.rotate = 10
        XCTAssertEqual(try features(m, d, cache: FeatureCache(folder: folder), augmentation: stronger, copies: 3).stats.extracted, 24)
    }

    /// Ctrl-C rolls a cached run back to its last finished epoch and resuming is bit for bit.
    func testInterruptAndResumeAreExactOnCachedFeatures() throws {
        let train = quadrantImages(32, seed: 1), dev = quadrantImages(8, seed: 2), cache = FeatureCache(folder: folder)
        func makeRun() throws -> TrainingRun {
            let m = model(hidden: true)
            return try TrainingRun(model: m, train: features(m, train, cache: cache), dev: features(m, dev, cache: cache), options: options())
        }
        let reference = try makeRun()
        var epochs: [[Float]] = []
        try reference.run(checkpoint: { m, _ in epochs.append(self.everything(m)) })
        let run = try makeRun()
        var polls = 0
        try run.run(shouldStop: { polls += 1; return polls == 4 + 3 })
        XCTAssertEqual(run.stopReason, .interrupted)
        XCTAssertEqual(everything(run.model), epochs[0])
        try run.run()
        XCTAssertEqual(everything(run.model), epochs[2])
        XCTAssertEqual(run.history.map(\.trainLoss), reference.history.map(\.trainLoss))
    }

    /// lr_find and lr_range on a frozen backbone: the same losses on cached features.
    func testRateSearchesOnCachedFeaturesMatchUncached() throws {
        let train = quadrantImages(48, seed: 1), cache = FeatureCache(folder: folder)
        var o = TrainingOptions()
        o.seed = 5; o.batchSize = 8
        let a = model(hidden: true), b = model(hidden: true)
        let plain = try learningRateFinder(a, data: DatasetBatchSource(dataset: train, preprocessing: preprocessing), iterations: 30, options: o)
        let cached = try learningRateFinder(b, data: features(b, train, cache: cache), iterations: 30, options: o)
        XCTAssertEqual(plain.losses.count, cached.losses.count)
        for (x, y) in zip(plain.losses, cached.losses) { XCTAssertEqual(x, y, accuracy: 1e-4 * max(1, abs(x))) }
        let r1 = try learningRateRangeTest(a, data: DatasetBatchSource(dataset: train, preprocessing: preprocessing), rates: [0.1, 0.01], options: o)
        let r2 = try learningRateRangeTest(b, data: features(b, train, cache: cache), rates: [0.1, 0.01], options: o)
        for (c1, c2) in zip(r1.curves, r2.curves) {
            for (x, y) in zip(c1.losses, c2.losses) { XCTAssertEqual(x, y, accuracy: 1e-4 * max(1, abs(x))) }
        }
        XCTAssertEqual(everything(a), everything(model(hidden: true)), "the model is left as it was")
    }

    func testUnreadableImagesAreReplacedAsTheLoaderReplacesThem() throws {
        // A file dataset with one file that does not decode: cached batches use the same
        // substitute (the next readable image in the epoch's order) as the uncached loader.
        let dir = folder + "/images"
        try FileManager.default.createDirectory(atPath: dir + "/a", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/b", withIntermediateDirectories: true)
        let source = quadrantImages(8, seed: 1)
        for i in 0..<8 {
            let path = dir + "/\(i % 2 == 0 ? "a" : "b")/\(i).png"
            try Data(try PNG.encode(try source.image(at: i))).write(to: URL(fileURLWithPath: path))
        }
        try Data("not a png".utf8).write(to: URL(fileURLWithPath: dir + "/a/broken.png"))
        var load = DatasetOptions()
        load.files.verify = false
        let d = try Dataset.load(dir, options: load)
        XCTAssertEqual(d.count, 9)
        let m = model(hidden: false)
        let cached = try features(m, d, cache: FeatureCache(folder: folder + "/cache"))
        XCTAssertEqual(cached.stats.unreadable, 1)
        let plain = DatasetBatchSource(dataset: d, preprocessing: preprocessing)
        for epoch in 1...2 {
            let x = Array(cached.batches(epoch: epoch, batchSize: 4, shuffle: true, augment: false, seed: 5))
            let y = Array(plain.batches(epoch: epoch, batchSize: 4, shuffle: true, augment: false, seed: 5))
            XCTAssertEqual(x.map(\.labels), y.map(\.labels))
            XCTAssertEqual(x.map(\.indices), y.map(\.indices))
        }
    }
}
