import Imaging
import XCTest

final class ResizeTests: XCTestCase {
    func testShrinkingKeepsATraceOfAOnePixelDefect() throws {
        var plate = Image(width: 100, height: 100, channels: 1)
        plate[57, 33, 0] = 255
        let small = try plate.resized(width: 10, height: 10)
        // The defect covers 1/100 of output pixel (5, 3): 2.55 levels, rounded to 3.
        XCTAssertEqual(small[5, 3, 0], 3)
        XCTAssertEqual(small.pixels.filter { $0 != 0 }.count, 1, "the trace stays where the defect was")
        // A defect straddling output pixels leaves a trace in each.
        var straddling = Image(width: 9, height: 9, channels: 1)
        straddling[4, 4, 0] = 255
        let third = try straddling.resized(width: 2, height: 2)
        XCTAssertTrue(third.pixels.allSatisfy { $0 > 0 }, "\(third.pixels)")
    }

    func testConstantImageStaysConstant() throws {
        for channels in [1, 3] {
            let constant = Image(width: 37, height: 23, channels: channels,
                                 pixels: [UInt8](repeating: 173, count: 37 * 23 * channels))
            for (width, height) in [(11, 7), (80, 51), (37, 5), (3, 60), (1, 1), (224, 224)] {
                let resized = try constant.resized(width: width, height: height)
                XCTAssertEqual([resized.width, resized.height, resized.channels], [width, height, channels])
                XCTAssertTrue(resized.pixels.allSatisfy { $0 == 173 }, "\(width)x\(height)")
            }
        }
    }

    func testEnlargingInterpolatesBetweenCentres() throws {
        let pair = Image(width: 2, height: 1, channels: 1, pixels: [0, 200])
        // Output centres at source positions -0.25, 0.25, 0.75, 1.25 (edges clamp).
        XCTAssertEqual(try pair.resized(width: 4, height: 1).pixels, [0, 50, 150, 200])
    }

    func testShrinkingByWholeFactorAveragesBlocks() throws {
        let image = Image(width: 4, height: 2, channels: 1, pixels: [0, 10, 20, 30, 40, 50, 60, 70])
        XCTAssertEqual(try image.resized(width: 2, height: 1).pixels, [25, 45])
    }

    func testSameSizeIsIdentityAndBadSizesThrow() throws {
        let image = PNGTests.pattern(width: 9, height: 5, channels: 3)
        XCTAssertEqual(try image.resized(width: 9, height: 5), image)
        XCTAssertThrowsError(try image.resized(width: 0, height: 5)) { error in
            XCTAssertEqual((error as? ImageError)?.source, "size")
        }
    }

    func testShorterSideKeepsAspect() throws {
        let wide = Image(width: 300, height: 200, channels: 1)
        let resized = try wide.resized(shorterSide: 100)
        XCTAssertEqual([resized.width, resized.height], [150, 100])
        let tall = try Image(width: 33, height: 100, channels: 1).resized(shorterSide: 10)
        XCTAssertEqual([tall.width, tall.height], [10, 30])
    }
}
