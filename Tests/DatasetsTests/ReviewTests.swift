import Datasets
import Imaging
import XCTest

final class ReviewTests: XCTestCase {
    func testReviewFindsPlantedDuplicatesLeakageAndImbalance() throws {
        var images = [Image](), labels = [Int?]()
        for c in 0..<2 { for i in 0..<30 { images.append(blobImage(width: 48, height: 40, channels: 3, seed: UInt64(c * 100 + i))); labels.append(c) } }
        for i in 0..<4 { images.append(blobImage(width: 48, height: 40, channels: 3, seed: UInt64(900 + i))); labels.append(2) }
        // Planted: an exact copy of image 3 (class 0), a brightened copy of image 40 (class 1),
        // and an exact copy of image 7 that lands in the preset test split.
        images.append(images[3]); labels.append(0)                             // 64
        var brighter = images[40]
        for k in brighter.pixels.indices { brighter.pixels[k] = UInt8(min(255, Int(brighter.pixels[k]) + 4)) }
        images.append(brighter); labels.append(1)                              // 65
        images.append(images[7]); labels.append(0)                             // 66
        let d = try Dataset.inMemory(images: images, labels: labels, classes: ["a", "b", "rare"], testIndices: [66])
        let r = d.review()

        XCTAssertEqual(r.counts, [32, 31, 4])
        XCTAssertEqual(r.subsetCounts[.test], [1, 0, 0])
        XCTAssertEqual(r.exactDuplicates.map(\.samples), [[3, 64], [7, 66]])
        XCTAssertEqual(r.nearDuplicates.map(\.samples), [[40, 65]])
        XCTAssertEqual(r.leakage.map(\.samples), [[7, 66]])
        XCTAssertEqual(r.leakage.first?.subsets, [.test, .train])
        let rare = r.warnings.filter { $0.className == "rare" }.map(\.kind)
        XCTAssertTrue(rare.contains(.fewerThanTen))
        XCTAssertTrue(rare.contains(.underHalfOfLargest))
        XCTAssertFalse(r.warnings.contains { $0.className == "a" }, "a balanced class gets no warning")
        XCTAssertTrue(r.warnings.contains { $0.kind == .leakage })
        XCTAssertEqual(r.sizes.commonSizes.first?.count, 67)
        XCTAssertEqual(r.sizes.aspectRatio.median, 1.2, accuracy: 1e-9)
        XCTAssertEqual(r.montage.map(\.count), [8, 8, 4])
        XCTAssertTrue(r.montage[2].allSatisfy { labels[$0] == 2 })
    }

    func testMeanImageShowsWhereTheContentSits() throws {
        // Class 0: a bright square in the top-left corner; class 1: bottom-right.
        func square(_ x0: Int, _ y0: Int, _ level: UInt8) -> Image {
            var img = Image(width: 16, height: 16, channels: 1)
            for y in y0..<(y0 + 6) { for x in x0..<(x0 + 6) { img[x, y, 0] = level } }
            return img
        }
        let images = [square(0, 0, 200), square(1, 1, 100), square(10, 10, 250)]
        let d = try Dataset.inMemory(images: images, labels: [0, 0, 1], classes: ["tl", "br"])
        let means = d.review().meanImages
        XCTAssertEqual(means[0]?[2, 2, 0], 150)
        XCTAssertEqual(means[0]?[0, 0, 0], 100)
        XCTAssertEqual(means[0]?[14, 14, 0], 0)
        XCTAssertEqual(means[1]?[14, 14, 0], 250)
    }
}
