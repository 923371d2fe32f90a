import Imaging
import TestSupport
import XCTest

/// Decoding a large JPEG at a half, quarter or eighth of its size (libjpeg's DCT scaling, Pillow's
/// draft mode) against a full decode followed by the same resize.
final class JPEGScaledDecodeTests: XCTestCase {
    func testScaleIsTheLargestThatKeepsTheTargetSize() throws {
        let bytes = try JPEG.encode(photoLikeImage(width: 400, height: 300), quality: 90)
        XCTAssertEqual(try JPEG.decode(bytes, source: "p", atLeast: (50, 37)).width, 50, "1/8: 400/8 = 50 ≥ 50")
        XCTAssertEqual(try JPEG.decode(bytes, source: "p", atLeast: (51, 37)).width, 100, "1/4 when 1/8 is one pixel short")
        XCTAssertEqual(try JPEG.decode(bytes, source: "p", atLeast: (201, 10)).width, 400, "no scaling above half")
        XCTAssertEqual(try JPEG.decode(bytes, source: "p").width, 400)
        // An EXIF turn by 90° swaps the sides the target is compared with.
        let turned = JPEGTests.withOrientation(6, bytes, littleEndian: false)
        let upright = try JPEG.decode(turned, source: "t", atLeast: (38, 50))
        XCTAssertEqual([upright.width, upright.height], [38, 50])
    }

    func testScaledDecodeMatchesFullDecodeAndResizeClosely() throws {
        let bytes = try JPEG.encode(photoLikeImage(), quality: 90)
        for (target, denominator) in [((224, 168), 4), ((200, 150), 8), ((600, 450), 2)] {
            let full = try JPEG.decode(bytes, source: "full").resized(width: target.0, height: target.1)
            let scaledDecode = try JPEG.decode(bytes, source: "scaled", atLeast: target)
            XCTAssertEqual(scaledDecode.width, (1600 + denominator - 1) / denominator)
            let scaled = try scaledDecode.resized(width: target.0, height: target.1)
            var total = 0, worst = 0
            for (a, b) in zip(full.pixels, scaled.pixels) {
                let d = abs(Int(a) - Int(b))
                total += d
                worst = max(worst, d)
            }
            let mean = Double(total) / Double(full.pixels.count)
            // Measured on this picture: mean 0.14–0.66 grey levels of 255, worst 3–6.
            XCTAssertLessThan(mean, 1.5, "1/\(denominator) to \(target): mean difference \(mean)")
            XCTAssertLessThan(worst, 16, "1/\(denominator) to \(target): largest difference \(worst)")
            print("jpeg 1/\(denominator) decode then resize to \(target.0)x\(target.1): mean |Δ| \(String(format: "%.2f", mean)), max |Δ| \(worst) (of 255)")
        }
    }
}
