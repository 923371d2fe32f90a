import Imaging
import XCTest

final class OrientationTests: XCTestCase {
    /// 3 wide, 2 high:  1 2 3 / 4 5 6
    let image = Image(width: 3, height: 2, channels: 1, pixels: [1, 2, 3, 4, 5, 6])

    func testEachEXIFOrientation() {
        let expected: [Int: (Int, [UInt8])] = [
            1: (3, [1, 2, 3, 4, 5, 6]),
            2: (3, [3, 2, 1, 6, 5, 4]),
            3: (3, [6, 5, 4, 3, 2, 1]),
            4: (3, [4, 5, 6, 1, 2, 3]),
            5: (2, [1, 4, 2, 5, 3, 6]),
            6: (2, [4, 1, 5, 2, 6, 3]),
            7: (2, [6, 3, 5, 2, 4, 1]),
            8: (2, [3, 6, 2, 5, 1, 4]),
        ]
        for (orientation, (width, pixels)) in expected {
            let turned = image.applyingEXIFOrientation(orientation)
            XCTAssertEqual(turned.width, width, "orientation \(orientation)")
            XCTAssertEqual(turned.height, 6 / width, "orientation \(orientation)")
            XCTAssertEqual(turned.pixels, pixels, "orientation \(orientation)")
        }
        XCTAssertEqual(image.applyingEXIFOrientation(0), image)
        XCTAssertEqual(image.applyingEXIFOrientation(9), image)
    }

    func testTurnsComposeAndKeepChannelsTogether() {
        let rgb = PNGTests.pattern(width: 5, height: 3, channels: 3)
        XCTAssertEqual(rgb.rotated90Clockwise().rotated90CounterClockwise(), rgb)
        XCTAssertEqual(rgb.rotated90Clockwise().rotated90Clockwise(), rgb.rotated180())
        XCTAssertEqual(rgb.flippedHorizontally().flippedVertically(), rgb.rotated180())
        XCTAssertEqual(rgb.transposed().transposed(), rgb)
        XCTAssertEqual(rgb.rotated90Clockwise()[0, 0, 2], rgb[0, 2, 2])
    }
}
