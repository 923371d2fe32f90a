import Imaging
import XCTest

final class JPEGTests: XCTestCase {
    /// A picture of flat 8x8 blocks (3 across, 2 down), which JPEG at quality 100 keeps exactly.
    static func blocks() -> Image {
        var image = Image(width: 24, height: 16, channels: 1)
        for y in 0..<16 { for x in 0..<24 { image[x, y, 0] = UInt8(30 + 60 * (x / 8) + 100 * (y / 8)) } }
        return image
    }

    /// `jpeg` with an APP1 Exif segment holding only an orientation tag, inserted after SOI.
    static func withOrientation(_ orientation: Int, _ jpeg: [UInt8], littleEndian: Bool) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { littleEndian ? [UInt8(v & 0xFF), UInt8(v >> 8)] : [UInt8(v >> 8), UInt8(v & 0xFF)] }
        func u32(_ v: Int) -> [UInt8] { littleEndian ? u16(v & 0xFFFF) + u16(v >> 16) : u16(v >> 16) + u16(v & 0xFFFF) }
        let tiff = (littleEndian ? Array("II".utf8) : Array("MM".utf8)) + u16(42) + u32(8)
            + u16(1) + u16(0x0112) + u16(3) + u32(1) + u16(orientation) + u16(0) + u32(0)
        let payload = Array("Exif\0\0".utf8) + tiff
        let length = payload.count + 2
        return Array(jpeg[0..<2]) + [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload + Array(jpeg[2...])
    }

    func testAllEightOrientationsInBothByteOrders() throws {
        let plain = try JPEG.encode(Self.blocks(), quality: 100)
        let stored = try JPEG.decode(plain, source: "plain")
        XCTAssertEqual(stored, Self.blocks(), "flat blocks survive quality 100")
        for littleEndian in [false, true] {
            for orientation in 1...8 {
                let bytes = Self.withOrientation(orientation, plain, littleEndian: littleEndian)
                let upright = try decodeImage(bytes: bytes, source: "o\(orientation)")
                XCTAssertEqual(upright, stored.applyingEXIFOrientation(orientation), "orientation \(orientation)")
                XCTAssertEqual(try JPEG.decode(bytes, source: "raw", applyOrientation: false), stored)
            }
        }
        // Orientation 6: the stored left column (30 on top, 130 below) becomes the top row, reversed.
        let six = try decodeImage(bytes: Self.withOrientation(6, plain, littleEndian: false), source: "six")
        XCTAssertEqual([six.width, six.height], [16, 24])
        XCTAssertEqual([six[0, 0, 0], six[15, 0, 0]], [130, 30])
    }

    func testMalformedExifIsIgnored() throws {
        let plain = try JPEG.encode(Self.blocks(), quality: 100)
        var bytes = Self.withOrientation(6, plain, littleEndian: true)
        bytes[12] = 0x58  // "II" becomes "XI": no longer TIFF
        XCTAssertEqual(try decodeImage(bytes: bytes, source: "bad-exif"), try JPEG.decode(plain, source: "plain"))
    }

    func testColourRoundTripIsClose() throws {
        let image = PNGTests.pattern(width: 40, height: 24, channels: 3)
        var smooth = Image(width: 48, height: 32, channels: 3)
        for y in 0..<32 { for x in 0..<48 { for c in 0..<3 { smooth[x, y, c] = UInt8(20 + x * 2 + y * 2 + c * 30) } } }
        let decoded = try JPEG.decode(JPEG.encode(smooth, quality: 95), source: "smooth")
        XCTAssertEqual([decoded.width, decoded.height, decoded.channels], [48, 32, 3])
        let largest = zip(decoded.pixels, smooth.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
        XCTAssertLessThanOrEqual(largest, 12, "quality 95 on a smooth ramp")
        XCTAssertNoThrow(try JPEG.encode(image.toRGBA(), quality: 50), "alpha is dropped")
    }

    func testQualityOutsideRangeIsRefused() {
        for quality in [0, 101] {
            XCTAssertThrowsError(try JPEG.encode(Self.blocks(), quality: quality)) { error in
                XCTAssertEqual((error as? ImageError)?.source, "quality")
            }
        }
    }

    func testHigherQualityGivesLargerFiles() throws {
        let image = PNGTests.pattern(width: 64, height: 64, channels: 3)
        XCTAssertLessThan(try JPEG.encode(image, quality: 30).count, try JPEG.encode(image, quality: 95).count)
    }
}
