import Plotting
import XCTest

/// Tick choice: 1-2-5 steps on linear axes, whole decades labelled like 1e-4 on log axes.
final class AxisTests: XCTestCase {
    func testLinearTicksUseOneTwoFiveSteps() {
        let axis = Axis.make(covering: [0.36, 2.1], scale: .linear, targetTicks: 6)
        XCTAssertEqual(axis.lower, 0)
        XCTAssertEqual(axis.upper, 2.5)
        XCTAssertEqual(axis.labels, ["0.0", "0.5", "1.0", "1.5", "2.0", "2.5"])
        for (a, b) in zip(axis.ticks, axis.ticks.dropFirst()) { XCTAssertEqual(b - a, 0.5, accuracy: 1e-12) }
    }

    func testNiceStepsAreOneTwoOrFiveTimesAPowerOfTen() {
        XCTAssertEqual(Axis.niceStep(range: 955, count: 5), 200)
        XCTAssertEqual(Axis.niceStep(range: 1, count: 10), 0.1, accuracy: 1e-15)
        XCTAssertEqual(Axis.niceStep(range: 37, count: 5), 10)
        XCTAssertEqual(Axis.niceStep(range: 0.003, count: 3), 0.001, accuracy: 1e-18)
    }

    func testPinnedRangeKeepsItsEnds() {
        let axis = Axis.make(covering: [0.42, 0.91], scale: .linear, targetTicks: 6, pinned: 0...1)
        XCTAssertEqual(axis.lower, 0)
        XCTAssertEqual(axis.upper, 1)
        XCTAssertEqual(axis.labels.first, "0.0")
        XCTAssertEqual(axis.labels.last, "1.0")
    }

    func testLogTicksAreDecadesLabelledLikeLearningRates() {
        let axis = Axis.make(covering: [1e-7, 10], scale: .log, targetTicks: 10)
        XCTAssertEqual(axis.labels, ["1e-7", "1e-6", "1e-5", "1e-4", "1e-3", "1e-2", "1e-1", "1", "10"])
        XCTAssertEqual(axis.fraction(1e-3), 0.5, accuracy: 1e-12)
        XCTAssertEqual(Axis.make(covering: [1e-4, 0.1], scale: .log, targetTicks: 5).minorTicks.count, 3 * 8)
    }

    func testLogAxisSkipsDecadesWhenCrowded() {
        let axis = Axis.make(covering: [1e-10, 1e6], scale: .log, targetTicks: 5)
        XCTAssertLessThanOrEqual(axis.ticks.count, 5)
        XCTAssertEqual(axis.labels.first, "1e-10")
    }

    func testFlatAndEmptyDataStillGiveAnAxis() {
        let flat = Axis.make(covering: [3, 3, 3], scale: .linear, targetTicks: 5)
        XCTAssertLessThan(flat.lower, 3)
        XCTAssertGreaterThan(flat.upper, 3)
        let empty = Axis.make(covering: [.nan, .infinity], scale: .linear, targetTicks: 5)
        XCTAssertEqual(empty.lower, 0)
        XCTAssertEqual(empty.upper, 1)
    }

    func testLabelsNeverShowNegativeZero() {
        let axis = Axis.make(covering: [-1, 1], scale: .linear, targetTicks: 5)
        XCTAssertFalse(axis.labels.contains { $0.hasPrefix("-0") && Double($0) == 0 }, "\(axis.labels)")
        XCTAssertTrue(axis.labels.contains("0.0") || axis.labels.contains("0"), "\(axis.labels)")
    }
}

final class WholeNumberAxisTests: XCTestCase {
    /// Four epochs get ticks 1, 2, 3, 4 — not 1.5 or 2.5.
    func testEpochAxesTickOnWholeNumbers() {
        let axis = Axis.make(covering: [1, 2, 3, 4], scale: .linear, targetTicks: 8, wholeNumbers: true)
        XCTAssertFalse(axis.ticks.isEmpty)
        XCTAssertTrue(axis.ticks.allSatisfy { $0 == $0.rounded() }, "\(axis.ticks)")
        let free = Axis.make(covering: [1, 2, 3, 4], scale: .linear, targetTicks: 8)
        XCTAssertTrue(free.ticks.contains { $0 != $0.rounded() }, "without the option the step may be fractional: \(free.ticks)")
    }
}
