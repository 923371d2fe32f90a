import Datasets
import Imaging
import TensorCore
import XCTest

final class BatchLoaderTests: XCTestCase {
    private func dataset() throws -> Dataset {
        var images = [Image](), labels = [Int?]()
        for i in 0..<37 { images.append(blobImage(width: 20 + i % 3, height: 18, channels: 3, seed: UInt64(i))); labels.append(i % 3) }
        var d = try Dataset.inMemory(images: images, labels: labels, classes: ["a", "b", "c"])
        var s = AugmentationSettings()
        s.flipH = true; s.rotate = 20; s.brightness = 0.3; s.noise = 0.05; s.erase = 0.5
        d.augmentation = s
        return d
    }

    private func collect(_ loader: BatchLoader, epoch: Int, prefetch: Int) -> [([Float], [Int])] {
        loader.epoch(epoch, prefetch: prefetch).map { ($0.images.toArray(), $0.labels) }
    }

    func testSameSeedGivesTheSameBatchesWhateverTheThreads() throws {
        let d = try dataset()
        let p = Preprocessing.imagenet(width: 16, height: 16, channels: 3)
        let one = BatchLoader(dataset: d, preprocessing: p, batchSize: 8, seed: 99, workers: 1)
        let two = BatchLoader(dataset: d, preprocessing: p, batchSize: 8, seed: 99, workers: 2)
        let a = collect(one, epoch: 3, prefetch: 1), b = collect(two, epoch: 3, prefetch: 4)
        XCTAssertEqual(a.count, 5)
        XCTAssertEqual(a.map(\.1), b.map(\.1))
        XCTAssertTrue(zip(a, b).allSatisfy { $0.0 == $1.0 }, "pixels identical across worker counts and prefetch depths")
        let otherEpoch = collect(one, epoch: 4, prefetch: 2)
        XCTAssertNotEqual(a.map(\.1), otherEpoch.map(\.1), "each epoch is shuffled anew")
        let otherSeed = collect(BatchLoader(dataset: d, preprocessing: p, batchSize: 8, seed: 100), epoch: 3, prefetch: 2)
        XCTAssertNotEqual(a[0].0, otherSeed[0].0)
    }

    func testBatchesCoverTheEpochWithTheRightShapes() throws {
        let loader = BatchLoader(dataset: try dataset(), preprocessing: Preprocessing(width: 12, height: 10, channels: 1),
                                 batchSize: 16, seed: 1)
        let batches = Array(loader.epoch(0))
        XCTAssertEqual(batches.map { $0.images.shape }, [[16, 10, 12, 1], [16, 10, 12, 1], [5, 10, 12, 1]])
        XCTAssertEqual(batches.flatMap(\.indices).sorted(), Array(0..<37))
        let dropping = BatchLoader(dataset: try dataset(), preprocessing: Preprocessing(width: 12, height: 10, channels: 1),
                                   batchSize: 16, seed: 1, dropLast: true)
        XCTAssertEqual(Array(dropping.epoch(0)).count, 2)
    }

    func testInOrderLoaderIsUnaugmentedAndNormalised() throws {
        let d = try dataset()
        let p = Preprocessing(width: 20, height: 18, channels: 3, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25])
        let loader = BatchLoader.inOrder(d, preprocessing: p, batchSize: 10)
        let first = Array(loader.epoch(0))
        XCTAssertEqual(first.flatMap(\.labels), d.labels)
        XCTAssertEqual(first.flatMap(\.indices), Array(0..<37))
        let image = try d.image(at: 0)   // 20×18: no resize, so values are exact
        let v = first[0].images[(5 * 20 + 7) * 3 + 1]
        XCTAssertEqual(v, (Float(image[7, 5, 1]) / 255 - 0.5) / 0.25, accuracy: 1e-5)
        let again = Array(loader.epoch(1))
        XCTAssertEqual(first[1].images.toArray(), again[1].images.toArray(), "no augmentation, no shuffle")
    }

    func testGreyImagesBecomeRGBWhenTheModelWantsColour() throws {
        let grey = randomImage(width: 8, height: 8, channels: 1, seed: 3)
        let d = try Dataset.inMemory(images: [grey], labels: [0], classes: ["x"])
        let batch = Array(BatchLoader.inOrder(d, preprocessing: Preprocessing(width: 8, height: 8, channels: 3), batchSize: 1).epoch(0))[0]
        let t = batch.images
        for p in 0..<64 {
            XCTAssertEqual(t[3 * p], t[3 * p + 2])
            XCTAssertEqual(t[3 * p], Float(grey.pixels[p]) / 255, accuracy: 1e-6)
        }
    }

    func testAbandonedEpochStopsCleanly() throws {
        let loader = BatchLoader(dataset: try dataset(), preprocessing: Preprocessing(width: 8, height: 8, channels: 3), batchSize: 4, seed: 0)
        var it: EpochBatches? = loader.epoch(0, prefetch: 2)
        XCTAssertNotNil(it?.next())
        it = nil
        XCTAssertEqual(Array(loader.epoch(0)).count, 10, "a new epoch still runs after one was abandoned")
    }
}

final class StatisticsAndBenchmarkTests: XCTestCase {
    func testChannelStatisticsOfAKnownDataset() throws {
        let dark = Image(width: 2, height: 2, channels: 1, pixels: [0, 0, 0, 0])
        let light = Image(width: 2, height: 2, channels: 1, pixels: [255, 255, 255, 255])
        let d = try Dataset.inMemory(images: [dark, light], labels: [0, 0], classes: ["x"])
        let s = d.channelStatistics(channels: 3)
        XCTAssertEqual(s.mean, [0.5, 0.5, 0.5])
        XCTAssertEqual(s.std[0], 0.5, accuracy: 1e-6)
    }

    func testBenchmarkReturnsBothFigures() throws {
        let figures = try decodeAugmentBenchmark(seconds: 0.05, workers: 1)
        XCTAssertEqual(figures.map(\.name), ["decode-augment-jpeg224", "decode-augment-idx28", "decode-augment-jpeg1600-whole",
                                              "decode-augment-jpeg1600"])
        XCTAssertTrue(figures.allSatisfy { $0.value > 0 && $0.value.isFinite && $0.unit == "img/s" })
    }
}
