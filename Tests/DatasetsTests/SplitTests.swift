import Datasets
import Imaging
import XCTest

final class SplitTests: XCTestCase {
    /// A dataset of tiny images with the given number per class.
    private func dataset(counts: [Int], testIndices: [Int]? = nil) throws -> Dataset {
        var images = [Image](), labels = [Int?]()
        for (c, n) in counts.enumerated() {
            for i in 0..<n { images.append(randomImage(width: 4, height: 4, channels: 1, seed: UInt64(c * 1000 + i))); labels.append(c) }
        }
        return try Dataset.inMemory(images: images, labels: labels, classes: counts.indices.map { "c\($0)" }, testIndices: testIndices)
    }

    private func perClass(_ d: Dataset, _ s: Subset) -> [Int] { d.subset(s)!.counts }

    func testSplitIsStratifiedDisjointAndComplete() throws {
        let d = try dataset(counts: [100, 40, 20]).splitting(SplitFractions(train: 0.8, val: 0.1, test: 0.1), seed: 7)
        XCTAssertEqual(perClass(d, .val), [10, 4, 2])
        XCTAssertEqual(perClass(d, .test), [10, 4, 2])
        XCTAssertEqual(perClass(d, .train), [80, 32, 16])
        let s = d.split!
        XCTAssertEqual(Set(s.train + s.val + s.test).count, 160, "every image in exactly one subset")
        XCTAssertEqual(s.seed, 7)
    }

    func testSameSeedSameSplitOtherSeedOtherSplit() throws {
        let base = try dataset(counts: [50, 30])
        let f = SplitFractions(train: 0.7, val: 0.2, test: 0.1)
        let a = try base.splitting(f, seed: 42).split!, b = try base.splitting(f, seed: 42).split!
        let c = try base.splitting(f, seed: 43).split!
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a.val, c.val)
        // A recorded split replays onto the same dataset.
        XCTAssertEqual(try base.applying(a).split, a)
        XCTAssertThrowsError(try dataset(counts: [3]).applying(a))
    }

    func testPresetTestSplitIsKeptAndCapsApply() throws {
        let base = try dataset(counts: [60, 60], testIndices: Array(50..<60) + Array(110..<120))
        XCTAssertEqual(base.subset(.test)?.count, 20)
        XCTAssertThrowsError(try SplitFractions.resolve(train: nil, val: 0.2, test: 0.1, hasPresetTest: true))
        let f = try SplitFractions.resolve(train: nil, val: 0.2, test: nil, valMax: 6, hasPresetTest: true)
        XCTAssertEqual(f.test, 0)
        let d = try base.splitting(f, seed: 1)
        XCTAssertEqual(d.split!.test, Array(50..<60) + Array(110..<120))
        XCTAssertEqual(perClass(d, .val), [3, 3], "val_max=6 spread over the two classes")
        XCTAssertEqual(perClass(d, .train), [47, 47])
    }

    func testRecommendationFollowsClassSizes() {
        let small = Dataset.recommendSplit(counts: [40, 45, 50], hasPresetTest: false)
        XCTAssertEqual(small.fractions.val, 0.4, accuracy: 1e-9)
        XCTAssertEqual(small.fractions.test, 0)
        let large = Dataset.recommendSplit(counts: [500, 800], hasPresetTest: false)
        XCTAssertEqual(large.fractions.val, 0.1, accuracy: 1e-9)
        XCTAssertEqual(large.fractions.test, 0.1, accuracy: 1e-9)
        let tiny = Dataset.recommendSplit(counts: [12, 100], hasPresetTest: false)
        XCTAssertTrue(tiny.notes.contains { $0.contains("collect more") })
        let preset = Dataset.recommendSplit(counts: [600, 600], hasPresetTest: true)
        XCTAssertEqual(preset.fractions.test, 0)
    }

    func testLimitIsStratifiedAndSelectionsRelabel() throws {
        let base = try dataset(counts: [200, 100, 4])
        let limited = try base.limited(to: 61, seed: 3)
        XCTAssertEqual(limited.count, 61)
        XCTAssertEqual(limited.counts, [40, 20, 1])
        XCTAssertEqual(try base.limited(to: 61, seed: 3).samples, limited.samples, "seeded")
        let dropped = try base.droppingClasses(below: 10)
        XCTAssertEqual(dropped.classes, ["c0", "c1"])
        XCTAssertEqual(dropped.excludedClasses.map(\.name), ["c2"])
        XCTAssertEqual(dropped.count, 300)
        let picked = try base.keepingClasses(["c1"])
        XCTAssertEqual(picked.counts, [100])
        XCTAssertEqual(Set(picked.labels), [0])
        XCTAssertThrowsError(try base.keepingClasses(["c9"])) { error in
            XCTAssertTrue(String(describing: error).contains("unknown class 'c9'"))
        }
    }
}

final class RegionTests: XCTestCase {
    func testTilesCoverTheImageAndFollowTheSplit() throws {
        let a = randomImage(width: 10, height: 7, channels: 1, seed: 1), b = randomImage(width: 6, height: 6, channels: 1, seed: 2)
        let d = try Dataset.inMemory(images: [a, b], labels: [0, 1], classes: ["a", "b"], testIndices: [1])
        let tiled = try d.tiling(rows: 2, columns: 3)
        XCTAssertEqual(tiled.count, 12)
        XCTAssertEqual(tiled.labels, [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1])
        XCTAssertEqual(tiled.subset(.test)?.count, 6, "tiles stay in their image's subset")
        XCTAssertEqual(tiled.samples[0...5].map { $0.region!.width * $0.region!.height }.reduce(0, +), 70, "tiles cover the image")
        let last = try tiled.image(at: 5)   // bottom-right tile of a: x 6..<10, y 3..<7
        XCTAssertEqual([last.width, last.height], [4, 4])
        XCTAssertEqual(last[0, 0, 0], a[6, 3, 0])
        XCTAssertThrowsError(try d.tiling(rows: 0, columns: 2))
    }

    func testCropKeepsTheRegionAndListsImagesItMisses() throws {
        let big = randomImage(width: 20, height: 20, channels: 3, seed: 3), small = randomImage(width: 4, height: 4, channels: 3, seed: 4)
        let d = try Dataset.inMemory(images: [big, small], labels: [0, 0], classes: ["x"])
        let cropped = try d.cropping(to: PixelRegion(x: 5, y: 6, width: 8, height: 3))
        XCTAssertEqual(cropped.count, 1)
        XCTAssertEqual(cropped.unreadable.count, 1)
        let img = try cropped.image(at: 0)
        XCTAssertEqual([img.width, img.height], [8, 3])
        XCTAssertEqual(img[0, 0, 2], big[5, 6, 2])
        XCTAssertEqual(cropped.size, ImageSize(width: 8, height: 3))
    }
}
