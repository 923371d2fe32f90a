import XCTest
import LoupeLang
import LoupeCommands

/// `evaluate m d` on a split dataset measures training images too: it says so, and names the
/// fair alternative; a split (`d.test`, `d.val`) or an unsplit dataset is evaluated quietly.
final class EvaluationOnTrainingImagesTests: XCTestCase {
    func testWholeSplitDatasetWarnsAndASplitDoesNot() throws {
        let h = try ScriptHarness()
        try h.installRun()
        let whole = try h.lines("e = evaluate m d").joined(separator: "\n")
        XCTAssertTrue(whole.contains("training images included"), whole)
        XCTAssertTrue(whole.contains("d.test"), whole)
        for split in ["d.test", "d.val"] {
            let out = try h.lines("e = evaluate m \(split)").joined(separator: "\n")
            XCTAssertFalse(out.contains("training images included"), "\(split): \(out)")
        }
        let count = try h.lines("print e.count")[0]
        XCTAssertEqual(count, "12", "the last evaluation was of the validation split")
    }
}
