import Foundation
import Imaging
import TensorCore
import XCTest
@testable import Datasets

/// Images decoded side by side share one budget of bytes (issue 13): the bytes in flight, not
/// just the pixels of each image, are bounded.
final class DecodeBudgetTests: XCTestCase {
    /// A folder of `count` 600x600 JPEGs, unverified, uncached, behind `budget`.
    private func largeFolder(_ count: Int, budget: DecodeBudget) throws -> (Dataset, ImageHeader) {
        let root = try temporaryFolder(self)
        for c in ["a", "b"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(c)", withIntermediateDirectories: true)
            for i in 0..<(count / 2) {
                try blobImage(width: 600, height: 600, channels: 3, seed: UInt64(i * 7 + c.count)).writeJPEG(to: "\(root)/\(c)/\(i).jpg")
            }
        }
        var files = FileLoadOptions()
        files.verify = false
        files.cacheBudget = 0
        files.budget = budget
        let d = try Dataset.loadFolder(root, options: files)
        return (d, try XCTUnwrap(ImageHeader.read(path: d.samples[0].name)))
    }

    func testDecodesSideBySideHoldAtMostTheBudget() throws {
        let probe = try largeFolder(8, budget: DecodeBudget(capacity: 1 << 30)).1
        let each = probe.estimatedBytes(scale: 1)
        XCTAssertGreaterThan(each, 600 * 600 * 3 * 3, "file, pixels and two pictures")
        // Room for two decodes, while four workers would hold four.
        let budget = DecodeBudget(capacity: 2 * each + each / 2)
        let (d, _) = try largeFolder(8, budget: budget)
        let loader = BatchLoader.inOrder(d, preprocessing: Preprocessing(width: 32, height: 32, channels: 3), batchSize: 8,
                                         workers: 4, reducedDecoding: false)
        let batch = loader.batch(0, epoch: 0, order: loader.order(epoch: 0))
        XCTAssertEqual(batch.labels, [0, 0, 0, 0, 1, 1, 1, 1])
        XCTAssertTrue(loader.unreadable.isEmpty)
        XCTAssertLessThanOrEqual(budget.peak.bytes, budget.capacity)
        XCTAssertLessThanOrEqual(budget.peak.decodes, 2)
        XCTAssertEqual(budget.inFlight, 0, "every decode gave its bytes back")

        // The same pixels as with a budget that never waits: ordinary loading is unaffected.
        let (free, _) = try largeFolder(8, budget: DecodeBudget(capacity: 1 << 30))
        let unbounded = BatchLoader.inOrder(free, preprocessing: Preprocessing(width: 32, height: 32, channels: 3), batchSize: 8,
                                            workers: 4, reducedDecoding: false)
        XCTAssertEqual(unbounded.batch(0, epoch: 0, order: unbounded.order(epoch: 0)).images.toArray(), batch.images.toArray())

        // A review decodes whole pictures side by side too.
        let review = d.review(ReviewOptions())
        XCTAssertTrue(review.unreadable.isEmpty)
        XCTAssertLessThanOrEqual(budget.peak.bytes, budget.capacity)
        XCTAssertLessThanOrEqual(budget.peak.decodes, 2)
    }

    func testAnImageThatFitsOnlyAloneStillProceeds() throws {
        let probe = try largeFolder(6, budget: DecodeBudget(capacity: 1 << 30)).1
        let budget = DecodeBudget(capacity: probe.estimatedBytes(scale: 1) + 1024)
        let (d, _) = try largeFolder(6, budget: budget)
        let loader = BatchLoader.inOrder(d, preprocessing: Preprocessing(width: 16, height: 16, channels: 3), batchSize: 6,
                                         workers: 3, reducedDecoding: false)
        let batch = loader.batch(0, epoch: 0, order: loader.order(epoch: 0))
        XCTAssertEqual(batch.labels.count, 6)
        XCTAssertTrue(loader.unreadable.isEmpty)
        XCTAssertEqual(budget.peak.decodes, 1, "one at a time")
    }

    /// A PNG whose header claims `width`x`height` RGB pixels (nothing after IHDR).
    private func claimedPNG(width: Int, height: Int) -> [UInt8] {
        func u32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + u32(13) + Array("IHDR".utf8) + u32(width) + u32(height)
            + [8, 2, 0, 0, 0] + u32(0)
    }

    func testAnImageOverTheWholeBudgetIsRefusedByName() throws {
        let root = try temporaryFolder(self)
        try FileManager.default.createDirectory(atPath: "\(root)/a", withIntermediateDirectories: true)
        try Data(claimedPNG(width: 9000, height: 8000)).write(to: URL(fileURLWithPath: "\(root)/a/huge.png"))
        try blobImage(width: 40, height: 30, channels: 3, seed: 1).writePNG(to: "\(root)/a/small.png")
        var files = FileLoadOptions()
        files.budget = DecodeBudget(capacity: 64 << 20)
        let d = try Dataset.loadFolder(root, options: files)
        XCTAssertEqual(d.count, 1, "the small image loads")
        let reason = try XCTUnwrap(d.unreadable.first { $0.path.hasSuffix("huge.png") }?.reason)
        XCTAssertTrue(reason.contains("9000x8000"), reason)
        XCTAssertTrue(reason.contains("decoding budget of 64 MB"), reason)
        XCTAssertTrue(reason.contains("LOUPE_DECODE_MB="), reason)
        XCTAssertLessThanOrEqual(files.budget.peak.bytes, 64 << 20, "the huge image was never let in")
        let message = ImageError.overBudget(source: "x.jpg", width: 9000, height: 8000, bytes: 700 << 20, budget: 64 << 20,
                                            setting: DecodeBudget.variable).description
        XCTAssertEqual(message, "x.jpg: a 9000x8000 image needs about 700 MB to decode, more than the decoding budget of 64 MB "
                       + "that images decoded side by side share; raise it with LOUPE_DECODE_MB=1400 (megabytes) if the memory is there, "
                       + "or make the image smaller")
    }

    func testTheBudgetComesFromTheEnvironment() {
        let gib: UInt64 = 1 << 30
        XCTAssertEqual(DecodeBudget.capacity(environment: ["LOUPE_DECODE_MB": "64"], physicalMemory: 16 * gib), 64 << 20)
        XCTAssertEqual(DecodeBudget.capacity(environment: ["LOUPE_DECODE_MB": " 3000 "], physicalMemory: 16 * gib), 3000 << 20)
        XCTAssertEqual(DecodeBudget.capacity(environment: ["LOUPE_DECODE_MB": "lots"], physicalMemory: 16 * gib), 1 << 30)
        XCTAssertEqual(DecodeBudget.capacity(environment: ["LOUPE_DECODE_MB": "0"], physicalMemory: 16 * gib), 1 << 30)
        XCTAssertEqual(DecodeBudget.capacity(environment: [:], physicalMemory: 2 * gib), 512 << 20, "a quarter of memory")
        XCTAssertEqual(DecodeBudget.capacity(environment: [:], physicalMemory: gib / 2), 256 << 20, "at least 256 MB")
    }

    func testHeaderEstimates() throws {
        let jpeg = try JPEG.encode(blobImage(width: 800, height: 600, channels: 3, seed: 2))
        let h = try XCTUnwrap(ImageHeader.read(bytes: jpeg, fileBytes: jpeg.count))
        XCTAssertEqual([h.width, h.height, h.components, h.decodedChannels], [800, 600, 3, 3])
        XCTAssertEqual(h.scale(atLeast: (200, 150)), 4)
        XCTAssertEqual(h.estimatedBytes(scale: 4), jpeg.count + 200 * 150 * 3 * 3)
        XCTAssertEqual(h.estimatedBytes(scale: 1), jpeg.count + 800 * 600 * 3 * 3)
        let png = try PNG.encode(blobImage(width: 30, height: 20, channels: 1, seed: 3))
        let p = try XCTUnwrap(ImageHeader.read(bytes: png, fileBytes: png.count))
        XCTAssertEqual([p.width, p.height, p.components, p.decodedChannels], [30, 20, 1, 1])
        XCTAssertEqual(p.scale(atLeast: (1, 1)), 1, "PNGs decode whole")
        // A PNG header read from bytes alone may claim 4294967295 x 4294967295 x 16-bit RGBA:
        // the estimate saturates instead of overflowing (it trapped before).
        var huge = png
        for i in 16..<24 { huge[i] = 0xFF }
        huge[24] = 16; huge[25] = 6
        let giant = try XCTUnwrap(ImageHeader.read(bytes: huge, fileBytes: huge.count))
        XCTAssertEqual(giant.estimatedBytes(scale: 1), Int.max)
    }
}
