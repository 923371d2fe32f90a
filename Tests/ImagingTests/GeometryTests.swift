import Imaging
import XCTest

/// Crop, pad and tile: sizes, positions and errors.
final class GeometryTests: XCTestCase {
    /// Pixel value = 10 * row + column, so every position is recognisable.
    let grid = Image(width: 6, height: 4, channels: 1, pixels: (0..<4).flatMap { y in (0..<6).map { UInt8(10 * y + $0) } })

    func testRegionCrop() throws {
        let region = try grid.cropped(x: 2, y: 1, width: 3, height: 2)
        XCTAssertEqual(region, Image(width: 3, height: 2, channels: 1, pixels: [12, 13, 14, 22, 23, 24]))
        XCTAssertEqual(try grid.cropped(x: 0, y: 0, width: 6, height: 4), grid)
    }

    func testRegionOutsideTheImageSaysWhy() {
        XCTAssertThrowsError(try grid.cropped(x: 4, y: 1, width: 3, height: 2)) { error in
            guard case .invalidArgument(let parameter, let reason) = error as? ImageError else { return XCTFail("\(error)") }
            XCTAssertEqual(parameter, "roi")
            XCTAssertTrue(reason.contains("x + width = 7 > 6") && reason.contains("6x4"), reason)
        }
        XCTAssertThrowsError(try grid.cropped(x: -1, y: 0, width: 2, height: 2))
        XCTAssertThrowsError(try grid.cropped(x: 0, y: 3, width: 2, height: 2))
        XCTAssertThrowsError(try grid.cropped(x: 0, y: 0, width: 0, height: 2))
    }

    func testCentreCrop() throws {
        XCTAssertEqual(try grid.centerCropped(width: 2, height: 2).pixels, [12, 13, 22, 23])
        // Odd margin (6 - 3 = 3): one column left, two right.
        XCTAssertEqual(try grid.centerCropped(width: 3, height: 4).pixels.prefix(3), [1, 2, 3])
        XCTAssertThrowsError(try grid.centerCropped(width: 7, height: 2))
    }

    func testPadding() throws {
        let padded = try grid.padded(top: 1, left: 2, bottom: 0, right: 1, value: 99)
        XCTAssertEqual([padded.width, padded.height], [9, 5])
        XCTAssertEqual(padded[0, 0, 0], 99)
        XCTAssertEqual(padded[2, 1, 0], 0)
        XCTAssertEqual(padded[7, 4, 0], 35)
        XCTAssertEqual(padded[8, 4, 0], 99)
        XCTAssertEqual(try padded.cropped(x: 2, y: 1, width: 6, height: 4), grid)
        XCTAssertThrowsError(try grid.padded(top: -1, left: 0, bottom: 0, right: 0))
    }

    func testPaddingToSizeCentres() throws {
        let square = try grid.paddedToSquare(value: 7)
        XCTAssertEqual([square.width, square.height], [6, 6])
        XCTAssertEqual(try square.cropped(x: 0, y: 1, width: 6, height: 4), grid)
        XCTAssertEqual(square[0, 0, 0], 7)
        XCTAssertEqual(square[5, 5, 0], 7)
        XCTAssertThrowsError(try grid.padded(toWidth: 5, height: 10))
    }

    func testTilesCoverEveryPixelOnce() throws {
        let rgb = PNGTests.pattern(width: 37, height: 23, channels: 3)
        let tiles = try rgb.tiles(rows: 3, columns: 4)
        XCTAssertEqual(tiles.count, 12)
        XCTAssertEqual(tiles.map(\.width).prefix(4).reduce(0, +), 37)
        XCTAssertEqual(stride(from: 0, to: 12, by: 4).map { tiles[$0].height }.reduce(0, +), 23)
        XCTAssertEqual(tiles.map { $0.width * $0.height }.reduce(0, +), 37 * 23)
        XCTAssertTrue(tiles.allSatisfy { [9, 10].contains($0.width) && [7, 8].contains($0.height) })
        // Patch (row 1, column 2) starts at x = 2 * 37 / 4 = 18, y = 23 / 3 = 7.
        XCTAssertEqual(tiles[6][0, 0, 1], rgb[18, 7, 1])
        XCTAssertEqual(try grid.tiles(rows: 2, columns: 3)[5].pixels, [24, 25, 34, 35])
    }

    func testTilingErrors() {
        XCTAssertThrowsError(try grid.tiles(rows: 0, columns: 2))
        XCTAssertThrowsError(try grid.tiles(rows: 5, columns: 1)) { error in
            XCTAssertEqual((error as? ImageError)?.source, "tile")
        }
    }
}
