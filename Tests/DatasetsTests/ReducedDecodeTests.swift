import Foundation
import Imaging
import TensorCore
import TestSupport
import XCTest
@testable import Datasets

/// Large photos (issue 15): the loader decodes a JPEG at libjpeg's half, quarter or eighth scale
/// when the model input needs no more, and the store never hands a reduced picture to a caller
/// that asked for the whole one.
final class ReducedDecodeTests: XCTestCase {
    /// A 1600x1200 photo-like JPEG: gradient, soft disc, fine noise.
    static func photoJPEG(width: Int = 1600, height: Int = 1200, seed: UInt32 = 12345) throws -> [UInt8] {
        try JPEG.encode(photoLikeImage(width: width, height: height, seed: seed), quality: 90)
    }

    /// Mean and largest absolute difference, in grey levels of 255.
    private func difference(_ a: [Float], _ b: [Float]) -> (mean: Double, max: Double) {
        var total = 0.0, worst = 0.0
        for (x, y) in zip(a, b) {
            let d = Double(abs(x - y)) * 255
            total += d
            worst = max(worst, d)
        }
        return (total / Double(a.count), worst)
    }

    func testReducedDecodeAndRenderMatchAWholeDecodeAndAreaResize() throws {
        let bytes = try Self.photoJPEG()
        let p = Preprocessing(width: 224, height: 224, channels: 3)
        // The reference: a whole decode, then an area resize to the input.
        let reference = try JPEG.decode(bytes, source: "whole").resized(width: 224, height: 224)
        let referenceValues = reference.pixels.map { Float($0) / 255 }
        let target = BatchLoader.decodeTarget(for: p, augmentation: nil)
        XCTAssertEqual(target, ImageSize(width: 224, height: 224))
        let reduced = try JPEG.decode(bytes, source: "reduced", scale: try XCTUnwrap(ImageHeader.read(bytes: bytes, fileBytes: bytes.count))
            .scale(atLeast: (target.width, target.height)))
        XCTAssertEqual([reduced.width, reduced.height], [400, 300], "a quarter")
        let new = difference(p.render(reduced).values, referenceValues)
        let old = difference(p.render(try JPEG.decode(bytes, source: "whole")).values, referenceValues)
        print("reduced decode + render vs whole decode + area resize: mean |Δ| \(String(format: "%.2f", new.mean)), max |Δ| \(String(format: "%.1f", new.max)); "
              + "whole decode + render: mean \(String(format: "%.2f", old.mean)), max \(String(format: "%.1f", old.max)) (of 255)")
        // Measured: reduced mean 0.53, max 4.2 grey levels of 255; a whole decode through the same
        // render (the loader before) differs from the area resize more: mean 1.16, max 9.5.
        XCTAssertLessThan(new.mean, 1.0)
        XCTAssertLessThan(new.max, 8)
        XCTAssertLessThan(new.mean, old.mean)
    }

    func testDecodeTargetCoversTheSmallestShareADrawShows() {
        let p = Preprocessing(width: 224, height: 224, channels: 3)
        var a = AugmentationSettings()
        a.zoom = 0.2
        XCTAssertEqual(BatchLoader.decodeTarget(for: p, augmentation: a), ImageSize(width: 269, height: 269))
        a.crop = 0.5
        // √(0.75 · 0.5) / 1.2 = 0.5103 of a side at least.
        XCTAssertEqual(BatchLoader.decodeTarget(for: p, augmentation: a), ImageSize(width: 439, height: 439))
        let wide = Preprocessing(width: 300, height: 100, channels: 3)
        var turns = AugmentationSettings()
        turns.rotate90 = true
        XCTAssertEqual(BatchLoader.decodeTarget(for: wide, augmentation: turns), ImageSize(width: 300, height: 300))
        XCTAssertEqual(BatchLoader.decodeTarget(for: wide, augmentation: nil), ImageSize(width: 300, height: 100))
        // Pretrained weights' centre crop keeps 224 of 256: the picture must be 256 px across.
        let cropped = Preprocessing(width: 224, height: 224, channels: 3, crop: 224.0 / 256)
        XCTAssertEqual(BatchLoader.decodeTarget(for: cropped, augmentation: nil), ImageSize(width: 256, height: 256))
    }

    func testTheLoaderTakesTheReducedPathAndKeysTheCacheByScale() throws {
        let root = try temporaryFolder(self)
        var photos: [[UInt8]] = []
        for c in ["a", "b"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(c)", withIntermediateDirectories: true)
            for i in 0..<2 {
                let bytes = try Self.photoJPEG(seed: UInt32(i * 2 + c.count))
                photos.append(bytes)
                try Data(bytes).write(to: URL(fileURLWithPath: "\(root)/\(c)/\(i).jpg"))
            }
        }
        let d = try Dataset.loadFolder(root)
        XCTAssertEqual(d.samples.map(\.shape), Array(repeating: ImageShape(width: 1600, height: 1200, channels: 3), count: 4),
                       "shapes are the whole pictures'")
        XCTAssertEqual(d.store.decodeCounts.reduced, 4, "loading checks large JPEGs at an eighth of their size")
        XCTAssertEqual(d.store.cachedBytes, 0, "and keeps none of those")

        let p = Preprocessing(width: 224, height: 224, channels: 3)
        let loader = BatchLoader.inOrder(d, preprocessing: p, batchSize: 4, workers: 2)
        let batch = loader.batch(0, epoch: 0, order: loader.order(epoch: 0))
        XCTAssertEqual(d.store.decodeCounts.reduced, 8, "every sample decoded at a reduced scale")
        XCTAssertEqual(d.store.cachedBytes, 4 * 400 * 300 * 3, "the quarter-scale pictures are cached")
        // Row 0 is the first photo decoded at a quarter and rendered.
        var expected = [Float](repeating: 0, count: 224 * 224 * 3)
        expected.withUnsafeMutableBufferPointer { p.normalize(p.render(try! JPEG.decode(photos[0], source: "0", scale: 4)), into: $0.baseAddress!) }
        XCTAssertEqual(Array(batch.images.toArray()[0..<(224 * 224 * 3)]), expected)

        // Asking for the whole picture never gets the cached quarter.
        let whole = try d.image(at: 0)
        XCTAssertEqual([whole.width, whole.height], [1600, 1200])
        // A second epoch comes from the cache.
        _ = loader.batch(0, epoch: 1, order: loader.order(epoch: 1))
        XCTAssertEqual(d.store.decodeCounts.all, 4 + 4 + 1)

        // Whole decoding when asked (prediction's digests need the whole picture).
        let wholeLoader = BatchLoader.inOrder(d, preprocessing: p, batchSize: 4, workers: 2, reducedDecoding: false)
        XCTAssertNil(wholeLoader.decodeTarget)
        _ = wholeLoader.batch(0, epoch: 0, order: wholeLoader.order(epoch: 0))
        XCTAssertEqual(d.store.decodeCounts.reduced, 8)
    }

    func testSmallPicturesAreCheckedWholeAndCachedAsBefore() throws {
        let root = try temporaryFolder(self)
        try FileManager.default.createDirectory(atPath: "\(root)/a", withIntermediateDirectories: true)
        for i in 0..<3 { try blobImage(width: 64, height: 48, channels: 3, seed: UInt64(i)).writeJPEG(to: "\(root)/a/\(i).jpg") }
        let d = try Dataset.loadFolder(root)
        XCTAssertEqual(d.store.decodeCounts.all, 3)
        XCTAssertEqual(d.store.decodeCounts.reduced, 0)
        XCTAssertEqual(d.store.cachedBytes, 3 * 64 * 48 * 3)
        let loader = BatchLoader.inOrder(d, preprocessing: Preprocessing(width: 64, height: 48, channels: 3), batchSize: 3)
        _ = loader.batch(0, epoch: 0, order: loader.order(epoch: 0))
        XCTAssertEqual(d.store.decodeCounts.all, 3, "training reads the cache filled at load time")
    }
}
