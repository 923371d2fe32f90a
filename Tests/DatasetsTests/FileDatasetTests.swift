import Datasets
import Foundation
import Imaging
import XCTest

final class FileDatasetTests: XCTestCase {
    /// Writes `counts[c]` PNGs per class folder under a fresh root; returns the root.
    private func makeFolder(counts: [String: Int]) throws -> String {
        let root = try temporaryFolder(self)
        for (name, n) in counts {
            try FileManager.default.createDirectory(atPath: "\(root)/\(name)", withIntermediateDirectories: true)
            for i in 0..<n {
                try blobImage(width: 12, height: 10, channels: 3, seed: UInt64(name.hashValue & 0xFFFF) &+ UInt64(i))
                    .writePNG(to: "\(root)/\(name)/img\(i).png")
            }
        }
        return root
    }

    func testFolderWithACorruptFileLoadsListsItAndKeepsTheRest() throws {
        let root = try makeFolder(counts: ["cat": 5, "dog": 4])
        try Data("not a picture at all".utf8).write(to: URL(fileURLWithPath: "\(root)/dog/broken.png"))
        let good = try Data(contentsOf: URL(fileURLWithPath: "\(root)/cat/img0.png"))
        try good.prefix(good.count / 2).write(to: URL(fileURLWithPath: "\(root)/cat/truncated.png"))
        try Data().write(to: URL(fileURLWithPath: "\(root)/cat/.DS_Store"))

        let d = try Dataset.loadFolder(root)
        XCTAssertEqual(d.classes, ["cat", "dog"])
        XCTAssertEqual(d.counts, [5, 4])
        XCTAssertEqual(d.unreadable.map(\.path).sorted(), ["\(root)/cat/truncated.png", "\(root)/dog/broken.png"])
        XCTAssertTrue(d.unreadable.allSatisfy { !$0.reason.isEmpty && !$0.reason.hasPrefix(root) }, "\(d.unreadable)")
        XCTAssertEqual(d.samples.first?.shape, ImageShape(width: 12, height: 10, channels: 3))
        XCTAssertEqual(d.size, ImageSize(width: 12, height: 10))
        XCTAssertEqual(try d.image(at: 0), try decodeImage(path: "\(root)/cat/img0.png"))
        XCTAssertEqual(try Dataset.detectFormat(root), .folder)
    }

    func testCSVWithOrWithoutHeaderAndBadRows() throws {
        let root = try makeFolder(counts: ["pics": 4])
        let csv = "path,label\npics/img0.png,ok\n\"pics/img1.png\",defect\npics/img2.png\nmissing.png,ok\npics/img3.png,defect\n"
        try csv.write(toFile: "\(root)/labels.csv", atomically: true, encoding: .utf8)
        let d = try Dataset.load("\(root)/labels.csv")
        XCTAssertEqual(d.format, .csv)
        XCTAssertEqual(d.classes, ["defect", "ok"])
        XCTAssertEqual(d.counts, [2, 1])
        XCTAssertEqual(d.unreadable.map(\.path), ["\(root)/labels.csv:4", "\(root)/missing.png"])

        try "pics/img0.png,10\npics/img1.png,2\n".write(toFile: "\(root)/numeric.csv", atomically: true, encoding: .utf8)
        XCTAssertEqual(try Dataset.loadCSV("\(root)/numeric.csv").classes, ["2", "10"], "integer labels sort as numbers")
    }

    func testLoadOptionsSelectLimitAndRefuseBadValues() throws {
        let root = try makeFolder(counts: ["a": 20, "b": 10, "rare": 2])
        var o = DatasetOptions()
        o.minPerClass = 5
        o.limit = 15
        o.seed = 4
        o.channels = 1
        let d = try Dataset.load(root, options: o)
        XCTAssertEqual(d.classes, ["a", "b"])
        XCTAssertEqual(d.excludedClasses, [ExcludedClass(name: "rare", count: 2)])
        XCTAssertEqual(d.counts, [10, 5])
        XCTAssertEqual(d.channels, 1)
        o.channels = 2
        XCTAssertThrowsError(try Dataset.load(root, options: o)) { XCTAssertTrue(String(describing: $0).contains("channels=2")) }
        XCTAssertThrowsError(try Dataset.load(root + "/nope")) { XCTAssertEqual($0 as? DatasetError, .notFound(path: root + "/nope")) }
    }

    func testUnlabelledFolderAndLazyDecodingWithoutCache() throws {
        let root = try makeFolder(counts: ["x": 3])
        var files = FileLoadOptions()
        files.cacheBudget = 0
        let d = try Dataset.loadUnlabelled(root + "/x", options: files)
        XCTAssertEqual(d.format, .unlabelled)
        XCTAssertEqual(d.count, 3)
        XCTAssertEqual(d.labels, [-1, -1, -1])
        XCTAssertEqual(d.store.cachedBytes, 0, "a zero budget decodes on the fly")
        let batch = Array(BatchLoader.inOrder(d, preprocessing: Preprocessing(width: 6, height: 5, channels: 3), batchSize: 8).epoch(0))
        XCTAssertEqual(batch.first?.images.shape, [3, 5, 6, 3])
        XCTAssertEqual(batch.first?.labels, [-1, -1, -1])
    }

    func testLoaderReplacesAFileThatBreaksAfterLoading() throws {
        let root = try makeFolder(counts: ["a": 3, "b": 3])
        var files = FileLoadOptions()
        files.verify = false
        files.decoder = { path, scale in
            if path.hasSuffix("a/img1.png") { throw ImageError.corrupt(source: path, detail: "planted") }
            return try decodeImage(path: path, scale: scale)
        }
        let d = try Dataset.loadFolder(root, options: files)
        XCTAssertEqual(d.count, 6, "unverified: every file listed")
        let loader = BatchLoader.inOrder(d, preprocessing: Preprocessing(width: 4, height: 4, channels: 3), batchSize: 6)
        let batch = Array(loader.epoch(0))[0]
        XCTAssertEqual(batch.labels, [0, 0, 0, 1, 1, 1])
        XCTAssertEqual(Array(batch.images.toArray()[48..<96]), Array(batch.images.toArray()[96..<144]),
                       "slot 1 holds the next readable image (slot 2's)")
        XCTAssertEqual(loader.unreadable.map(\.path), ["\(root)/a/img1.png"])
        XCTAssertEqual(d.review().unreadable.map(\.reason), ["the image data is corrupt (planted)"])
    }
}
