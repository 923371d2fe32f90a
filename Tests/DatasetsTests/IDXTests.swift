import Datasets
import Foundation
import XCTest

final class IDXTests: XCTestCase {
    func testFashionMNISTLoadsWithItsTestSplit() throws {
        let folder = "/usr/share/datasets/fashion-mnist"
        guard FileManager.default.fileExists(atPath: folder + "/train-images-idx3-ubyte.gz") else {
            throw XCTSkip("Fashion-MNIST is not installed at \(folder); this test needs train-images-idx3-ubyte.gz and friends there")
        }
        let d = try Dataset.loadIDX(folder: folder)
        XCTAssertEqual(d.format, .idx)
        XCTAssertEqual(d.classes.count, 10)
        XCTAssertEqual(d.classes.first, "T-shirt/top")
        XCTAssertEqual(d.classes.last, "Ankle boot")
        XCTAssertEqual(d.subset(.train)?.count, 60000)
        XCTAssertEqual(d.subset(.test)?.count, 10000)
        XCTAssertEqual(d.counts, [Int](repeating: 7000, count: 10))
        let image = try d.image(at: 0)
        XCTAssertEqual([image.width, image.height, image.channels], [28, 28, 1])
        XCTAssertGreaterThan(meanValue(image), 10, "the first image should not be blank")
    }

    /// Writes a tiny IDX pair: `count` images of 3×2 whose pixels are their index, labels index % 3.
    private func writeIDX(folder: String, prefix: String, count: Int, gzip: Bool) throws {
        var images: [UInt8] = [0, 0, 8, 3, 0, 0, 0, UInt8(count), 0, 0, 0, 2, 0, 0, 0, 3]
        for i in 0..<count { images += [UInt8](repeating: UInt8(i), count: 6) }
        var labels: [UInt8] = [0, 0, 8, 1, 0, 0, 0, UInt8(count)]
        for i in 0..<count { labels.append(UInt8(i % 3)) }
        let ip = "\(folder)/\(prefix)-images-idx3-ubyte", lp = "\(folder)/\(prefix)-labels-idx1-ubyte"
        try Data(images).write(to: URL(fileURLWithPath: ip))
        try Data(labels).write(to: URL(fileURLWithPath: lp))
        if gzip {
            for p in [ip, lp] {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/bin/gzip")
                process.arguments = ["-f", p]
                try process.run()
                process.waitUntilExit()
                XCTAssertEqual(process.terminationStatus, 0)
            }
        }
    }

    func testPlainAndGzippedIDXGiveTheSameImages() throws {
        guard FileManager.default.isExecutableFile(atPath: "/bin/gzip") else { throw XCTSkip("/bin/gzip is needed to make the gzipped files") }
        let plain = try temporaryFolder(self) + "/digits", zipped = try temporaryFolder(self) + "/digits"
        for f in [plain, zipped] { try FileManager.default.createDirectory(atPath: f, withIntermediateDirectories: true) }
        try writeIDX(folder: plain, prefix: "train", count: 9, gzip: false)
        try writeIDX(folder: plain, prefix: "t10k", count: 4, gzip: false)
        try writeIDX(folder: zipped, prefix: "train", count: 9, gzip: true)
        try writeIDX(folder: zipped, prefix: "t10k", count: 4, gzip: true)
        let a = try Dataset.loadIDX(folder: plain), b = try Dataset.loadIDX(folder: zipped)
        XCTAssertEqual(a.classes, (0...9).map(String.init), "MNIST-style folders get digit class names")
        XCTAssertEqual(a.count, 13)
        XCTAssertEqual(a.subset(.test)?.count, 4)
        XCTAssertEqual(a.labels, b.labels)
        for i in 0..<13 { XCTAssertEqual(try a.image(at: i), try b.image(at: i)) }
        let img = try a.image(at: 10)   // the second test image: pixel value 1
        XCTAssertEqual([img.width, img.height], [3, 2])
        XCTAssertEqual(img.pixels, [UInt8](repeating: 1, count: 6))
    }

    func testTruncatedIDXIsRefusedWithTheFileNamed() throws {
        let folder = try temporaryFolder(self)
        try writeIDX(folder: folder, prefix: "train", count: 5, gzip: false)
        let path = folder + "/train-images-idx3-ubyte"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count - 3).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try Dataset.loadIDX(folder: folder)) { error in
            guard case let DatasetError.idx(p, reason) = error else { return XCTFail("unexpected \(error)") }
            XCTAssertEqual(p, path)
            XCTAssertTrue(reason.contains("expected 30 data bytes"), reason)
        }
    }

    func testTruncatedGzipIsReportedAsTruncated() throws {
        guard FileManager.default.isExecutableFile(atPath: "/bin/gzip") else { throw XCTSkip("/bin/gzip is needed to make the gzipped files") }
        let folder = try temporaryFolder(self)
        try writeIDX(folder: folder, prefix: "train", count: 40, gzip: true)
        let path = folder + "/train-images-idx3-ubyte.gz"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try Dataset.loadIDX(folder: folder)) { error in
            XCTAssertEqual(error as? DatasetError, .gzip(path: path, reason: "file is truncated"))
        }
    }
}
