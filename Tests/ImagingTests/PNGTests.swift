import Imaging
import XCTest

final class PNGTests: XCTestCase {
    /// A deterministic test picture with every channel varying differently.
    static func pattern(width: Int, height: Int, channels: Int) -> Image {
        var image = Image(width: width, height: height, channels: channels)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels { image[x, y, c] = UInt8((x * 37 + y * 11 + c * 71 + x * y) & 0xFF) }
            }
        }
        return image
    }

    func testRoundTripGreyRGBRGBA() throws {
        for channels in [1, 3, 4] {
            for interlaced in [false, true] {
                let image = Self.pattern(width: 13, height: 7, channels: channels)
                let bytes = try PNG.encode(image, interlaced: interlaced)
                let decoded = try PNG.decode(bytes, source: "memory")
                // The decoder drops alpha, so an RGBA image comes back as its RGB part.
                let expected = channels == 4 ? rgbPart(of: image) : image
                XCTAssertEqual(decoded, expected, "channels \(channels), interlaced \(interlaced)")
            }
        }
    }

    func testEncodingIsDeterministic() throws {
        let image = Self.pattern(width: 31, height: 17, channels: 3)
        XCTAssertEqual(try PNG.encode(image), try PNG.encode(image))
    }

    func testEncodeRefusesEmptyImage() {
        XCTAssertThrowsError(try PNG.encode(Image(width: 0, height: 5, channels: 1)))
    }

    func testWritePNGReplacesFileAtomically() throws {
        let path = Fixtures.temporaryPath("write.png")
        defer { unlink(path) }
        let first = Self.pattern(width: 5, height: 4, channels: 1)
        try first.writePNG(to: path)
        let second = Self.pattern(width: 9, height: 3, channels: 3)
        try second.writePNG(to: path)
        XCTAssertEqual(try PNG.decode(Fixtures.readBytes(atPath: path), source: path), second)
    }

    func testWritePNGIntoMissingFolderFailsWithPath() {
        let path = "/nonexistent-folder-for-loupe-tests/out.png"
        XCTAssertThrowsError(try Self.pattern(width: 2, height: 2, channels: 1).writePNG(to: path)) { error in
            XCTAssertTrue("\(error)".contains(path), "\(error)")
        }
    }

    private func rgbPart(of image: Image) -> Image {
        var pixels: [UInt8] = []
        for index in stride(from: 0, to: image.pixels.count, by: 4) { pixels += image.pixels[index..<(index + 3)] }
        return Image(width: image.width, height: image.height, channels: 3, pixels: pixels)
    }
}
