import Imaging
import XCTest

/// PNG encodings beyond the fixtures, built by hand: each must reduce to 8-bit grey or RGB.
final class PNGVariantTests: XCTestCase {
    func testSixteenBitRGBKeepsHighByte() throws {
        let builder = PNGBuilder(width: 2, height: 2, bitDepth: 16, colourType: 2)
        // Sample (x, y, c) = high byte 40x+20y+5c, low byte 0xFF to catch any rounding.
        var rows: [[UInt8]] = []
        var expected: [UInt8] = []
        for y in 0..<2 {
            var row: [UInt8] = []
            for x in 0..<2 {
                for c in 0..<3 {
                    let high = UInt8(40 * x + 20 * y + 5 * c)
                    row += [high, 0xFF]
                    expected.append(high)
                }
            }
            rows.append(row)
        }
        let image = try PNG.decode(builder.build(rows: rows), source: "rgb16")
        XCTAssertEqual(image.channels, 3)
        XCTAssertEqual(image.pixels, expected)
    }

    func testGreyAlphaDropsAlphaAndStaysGrey() throws {
        let builder = PNGBuilder(width: 3, height: 1, bitDepth: 8, colourType: 4)
        let image = try PNG.decode(builder.build(rows: [[10, 0, 20, 128, 30, 255]]), source: "la8")
        XCTAssertEqual(image, Image(width: 3, height: 1, channels: 1, pixels: [10, 20, 30]))
    }

    func testSixteenBitGreyAlphaAndRGBA() throws {
        let la = PNGBuilder(width: 2, height: 1, bitDepth: 16, colourType: 4)
        XCTAssertEqual(try PNG.decode(la.build(rows: [[7, 1, 0, 0, 9, 2, 255, 255]]), source: "la16").pixels, [7, 9])
        let rgba = PNGBuilder(width: 1, height: 1, bitDepth: 16, colourType: 6)
        XCTAssertEqual(try PNG.decode(rgba.build(rows: [[1, 9, 2, 9, 3, 9, 4, 9]]), source: "rgba16").pixels, [1, 2, 3])
    }

    func testPaletteWithTransparencyExpandsToRGB() throws {
        var builder = PNGBuilder(width: 3, height: 1, bitDepth: 8, colourType: 3)
        builder.chunks = [("PLTE", [255, 0, 0, 0, 255, 0, 0, 0, 255]), ("tRNS", [0, 128])]
        let image = try PNG.decode(builder.build(rows: [[2, 0, 1]]), source: "palette")
        XCTAssertEqual(image, Image(width: 3, height: 1, channels: 3, pixels: [0, 0, 255, 255, 0, 0, 0, 255, 0]))
    }

    func testPackedPaletteAndOneBitGrey() throws {
        var palette = PNGBuilder(width: 4, height: 1, bitDepth: 2, colourType: 3)
        palette.chunks = [("PLTE", [0, 0, 0, 10, 10, 10, 20, 20, 20, 30, 30, 30])]
        // Indices 3, 2, 1, 0 packed most significant bits first.
        XCTAssertEqual(try PNG.decode(palette.build(rows: [[0b11_10_01_00]]), source: "p2").pixels,
                       [30, 30, 30, 20, 20, 20, 10, 10, 10, 0, 0, 0])
        let bits = PNGBuilder(width: 10, height: 1, bitDepth: 1, colourType: 0)
        XCTAssertEqual(try PNG.decode(bits.build(rows: [[0b1010_0000, 0b0100_0000]]), source: "g1").pixels,
                       [255, 0, 255, 0, 0, 0, 0, 0, 0, 255])
    }

    func testMissingImageDataIsAnError() {
        let builder = PNGBuilder(width: 4, height: 4, bitDepth: 8, colourType: 0)
        let bytes = builder.build(rows: [[1, 2, 3, 4]])  // one row of four
        XCTAssertThrowsError(try PNG.decode(bytes, source: "short-idat")) { error in
            XCTAssertEqual((error as? ImageError)?.source, "short-idat", "\(error)")
        }
    }

    func testInvalidHeaderCombinationIsAnError() {
        let builder = PNGBuilder(width: 1, height: 1, bitDepth: 16, colourType: 3)  // 16-bit palette does not exist
        XCTAssertThrowsError(try PNG.decode(builder.build(rows: [[0, 0]]), source: "bad-ihdr")) { error in
            guard case .corrupt(let source, _) = error as? ImageError else { return XCTFail("\(error)") }
            XCTAssertEqual(source, "bad-ihdr")
        }
    }
}

extension PNGVariantTests {
    func testEXIfChunkOrientationIsApplied() throws {
        var builder = PNGBuilder(width: 3, height: 1, bitDepth: 8, colourType: 0)
        // Big-endian TIFF, one IFD entry: orientation (0x0112), SHORT, value 8.
        let tiff: [UInt8] = [0x4D, 0x4D, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 8, 0, 0, 0, 0, 0, 0]
        builder.chunks = [("eXIf", tiff)]
        let bytes = builder.build(rows: [[1, 2, 3]])
        XCTAssertEqual(try PNG.decode(bytes, source: "exif"), Image(width: 1, height: 3, channels: 1, pixels: [3, 2, 1]))
        XCTAssertEqual(try PNG.decode(bytes, source: "exif", applyOrientation: false).pixels, [1, 2, 3])
    }
}
