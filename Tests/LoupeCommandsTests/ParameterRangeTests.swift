import Foundation
import XCTest
import LoupeLang
import LoupeCommands

/// Numbers a user types are checked where they enter, with a message naming the parameter,
/// before they size anything (issue 13, class 3).
final class ParameterRangeTests: XCTestCase {
    /// `size=65536x65536` then `show` asked for 17 GB; an `Int.max` side trapped in the resampler.
    func testDatasetSizeIsBounded() throws {
        let h = try ScriptHarness()
        let folder = try h.makeQuadrantFolder(classes: 2, perClass: 4)
        for size in ["65536x65536", "9223372036854775807x9223372036854775807", "1x5000"] {
            let message = h.error("d = dataset \"\(folder)\" size=\(size)\nshow d")
            XCTAssertTrue(message.contains("'size'"), message)
            XCTAssertTrue(message.contains("between 1x1 and 4096x4096"), message)
        }
        try h.run("d = dataset \"\(folder)\" size=40x30\nshow d n=2")
    }

    /// `tile d 9223372036854775807x2` overflowed `rows * columns`.
    func testTileGridIsBoundedBeforeItsProduct() throws {
        let h = try ScriptHarness()
        let folder = try h.makeQuadrantFolder(classes: 2, perClass: 4)
        try h.run("d = dataset \"\(folder)\"")
        for grid in ["9223372036854775807x2", "2x9223372036854775807", "4611686018427387904x4", "65x65"] {
            let message = h.error("tile d \(grid)")
            XCTAssertTrue(message.contains("'grid'"), message)
        }
        try h.run("tile d 2x2")
    }

    func testModelSizeIsBounded() throws {
        let h = try ScriptHarness()
        let message = h.error("m = resnet 20 classes=3 size=9223372036854775807x9223372036854775807")
        XCTAssertTrue(message.contains("'size'") && message.contains("between 8x8 and 4096x4096"), message)
    }
}
