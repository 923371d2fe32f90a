import Imaging
import Plotting
import XCTest

/// Drawing primitives: clipping, blending, anti-aliasing, image scaling.
final class CanvasTests: XCTestCase {
    func testFillIsClippedToTheClipRectangle() {
        var canvas = Canvas(width: 10, height: 10)
        canvas.clip = PixelRect(x: 2, y: 2, width: 4, height: 4)
        canvas.fill(PixelRect(x: -5, y: -5, width: 100, height: 100), .black)
        XCTAssertEqual(canvas.color(x: 2, y: 2), .black)
        XCTAssertEqual(canvas.color(x: 5, y: 5), .black)
        XCTAssertEqual(canvas.color(x: 6, y: 5), .white)
        XCTAssertEqual(canvas.color(x: 1, y: 3), .white)
    }

    func testAlphaBlendsHalfway() {
        var canvas = Canvas(width: 2, height: 2)
        canvas.fill(PixelRect(x: 0, y: 0, width: 1, height: 1), Color.black.opacity(0.5))
        XCTAssertEqual(canvas.color(x: 0, y: 0), Color(r: 127, g: 127, b: 127))
        XCTAssertEqual(canvas.color(x: 1, y: 1), .white)
    }

    func testLinesAreAntiAliasedAndStayOnTheCanvas() {
        var canvas = Canvas(width: 40, height: 40)
        canvas.strokeLine(from: Point(-100, -30), to: Point(140, 70), width: 2, .black)
        let greys = canvas.pixels.filter { $0 > 0 && $0 < 255 }
        XCTAssertFalse(greys.isEmpty, "a diagonal line should have partially covered pixels")
        XCTAssertTrue(canvas.pixels.contains(0))
    }

    func testNonFiniteAndFarPointsBreakTheLineInsteadOfCrashing() {
        var canvas = Canvas(width: 20, height: 20)
        canvas.strokePolyline([Point(1, 1), Point(.nan, 5), Point(5, 5), Point(1e300, -1e300)], width: 1, .black)
        XCTAssertEqual(canvas.width, 20)
        XCTAssertNotEqual(canvas.color(x: 1, y: 1), .white)
    }

    func testSmallImagesAreEnlargedByWholeFactorsWithNearestNeighbour() {
        let grey = Image(width: 2, height: 2, channels: 1, pixels: [0, 255, 255, 0])
        let rect = Canvas.fit(grey, in: PixelRect(x: 0, y: 0, width: 9, height: 9))
        XCTAssertEqual(rect, PixelRect(x: 0, y: 0, width: 8, height: 8))
        var canvas = Canvas(width: 9, height: 9)
        canvas.draw(grey, in: rect)
        XCTAssertEqual(canvas.color(x: 3, y: 3), .black)
        XCTAssertEqual(canvas.color(x: 4, y: 3), .white)
        XCTAssertEqual(canvas.color(x: 7, y: 7), .black)
    }

    func testLargeImagesAreAveragedWhenShrunk() {
        // Alternating black and white columns shrink to mid grey, not to one of the two.
        var stripes = Image(width: 8, height: 8, channels: 3)
        for y in 0..<8 { for x in 0..<8 where x % 2 == 1 { for c in 0..<3 { stripes[x, y, c] = 255 } } }
        var canvas = Canvas(width: 4, height: 4)
        canvas.draw(stripes, in: PixelRect(x: 0, y: 0, width: 4, height: 4))
        XCTAssertEqual(canvas.color(x: 1, y: 1), Color(r: 128, g: 128, b: 128))
    }

    func testToImageIsRGB() {
        let image = Canvas(width: 3, height: 2, background: Color(hex: 0x102030)).toImage()
        XCTAssertEqual(image.channels, 3)
        XCTAssertEqual(Array(image.pixels[0..<3]), [0x10, 0x20, 0x30])
    }
}
