import XCTest
import Workflow

/// The one rule for a model's classes against a dataset's, each case.
final class ClassMatchTests: XCTestCase {
    func testTheSameNamesMatch() throws {
        XCTAssertEqual(try ClassMatch.between(model: ["cat", "dog"], data: ["cat", "dog"]), .same)
    }

    func testADifferentCountIsRefused() {
        XCTAssertThrowsError(try ClassMatch.between(model: ["cat", "dog"], data: ["cat", "dog", "fox"])) {
            XCTAssertEqual($0 as? WorkflowError, .classCountMismatch(model: 2, data: 3))
        }
        XCTAssertThrowsError(try ClassMatch.between(model: ["0", "1", "2"], data: ["cat", "dog"]), "placeholders need the same count") {
            XCTAssertEqual($0 as? WorkflowError, .classCountMismatch(model: 3, data: 2))
        }
        XCTAssertThrowsError(try ClassMatch.checkCount(model: 4, data: 3)) {
            XCTAssertEqual($0 as? WorkflowError, .classCountMismatch(model: 4, data: 3))
        }
        XCTAssertNoThrow(try ClassMatch.checkCount(model: 3, data: 3))
    }

    func testTheSameNamesInAnotherOrderAreRefused() {
        XCTAssertThrowsError(try ClassMatch.between(model: ["dog", "cat"], data: ["cat", "dog"])) {
            XCTAssertEqual($0 as? WorkflowError, .classOrderDiffers(model: ["dog", "cat"], data: ["cat", "dog"]))
        }
        // Placeholder names in another order are the data's own names misordered, not placeholders.
        XCTAssertThrowsError(try ClassMatch.between(model: ["0", "1"], data: ["1", "0"])) {
            XCTAssertEqual($0 as? WorkflowError, .classOrderDiffers(model: ["0", "1"], data: ["1", "0"]))
        }
    }

    func testPlaceholderNamesMatchByPosition() throws {
        XCTAssertEqual(ClassMatch.placeholderNames(3), ["0", "1", "2"])
        XCTAssertEqual(try ClassMatch.between(model: ClassMatch.placeholderNames(3), data: ["ant", "bee", "cat"]), .byPosition)
    }

    func testOtherNamesAreRefused() {
        XCTAssertThrowsError(try ClassMatch.between(model: ["ant", "bee"], data: ["cat", "dog"])) {
            XCTAssertEqual($0 as? WorkflowError, .classNamesDiffer(model: ["ant", "bee"], data: ["cat", "dog"]))
        }
        XCTAssertThrowsError(try ClassMatch.between(model: ["1", "2"], data: ["cat", "dog"]), "numbers that are not 0…N-1") {
            XCTAssertEqual($0 as? WorkflowError, .classNamesDiffer(model: ["1", "2"], data: ["cat", "dog"]))
        }
    }
}
