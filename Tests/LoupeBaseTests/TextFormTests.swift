import LoupeBase
import XCTest

/// JSON string literals and slugs: the text forms every writer above shares.
final class TextFormTests: XCTestCase {
    func testJSONQuotingEscapesWhatJSONRequiresAndKeepsUnicode() throws {
        XCTAssertEqual(jsonQuoted("plain"), "\"plain\"")
        XCTAssertEqual(jsonQuoted("a \"b\" c\\d"), #""a \"b\" c\\d""#)
        XCTAssertEqual(jsonQuoted("1\n2\r3\t4"), #""1\n2\r3\t4""#)
        XCTAssertEqual(jsonQuoted("\u{01}\u{1F}"), #""\u0001\u001f""#)
        XCTAssertEqual(jsonQuoted("chat noir · 猫 😺"), "\"chat noir · 猫 😺\"", "non-ASCII stays as UTF-8")
        let parsed = try JSONSerialization.jsonObject(with: Data(jsonQuoted("x\"\\\n\u{07}é").utf8), options: .fragmentsAllowed)
        XCTAssertEqual(parsed as? String, "x\"\\\n\u{07}é", "a JSON reader reads back the text")
    }

    func testSlugsAreLowercaseDashSeparatedAndCut() {
        XCTAssertEqual(slug("Test split of quadrants"), "test-split-of-quadrants")
        XCTAssertEqual(slug("  --Loss (per epoch)!  "), "loss-per-epoch")
        XCTAssertEqual(slug("café_2 / Ünïcode"), "caf-2-n-code", "only ASCII letters and digits are kept")
        XCTAssertEqual(slug("…"), "")
        let long = String(repeating: "ab ", count: 40)
        XCTAssertEqual(slug(long).count, 40)
        XCTAssertEqual(slug(long, maxLength: 60).count, 60)
    }
}
