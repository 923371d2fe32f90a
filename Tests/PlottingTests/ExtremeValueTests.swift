@testable import Plotting
import XCTest

/// Figures of diverging values stay small and quick (issue 13, class 1: a diverging `lr_range`
/// rate made its dashed curve allocate 34 GB).
final class ExtremeValueTests: XCTestCase {
    func testDashesOnlyInsideTheArea() {
        let area = Rect(x: 0, y: 0, width: 100, height: 100)
        let dashes = Canvas.dashed([Point(10, 10), Point(10, 1e11)], pattern: [7, 4], within: area)
        XCTAssertLessThan(dashes.count, 20)
        XCTAssertGreaterThan(dashes.count, 5)
        // The part inside the area dashes as it did without an area.
        let plain = Canvas.dashed([Point(10, 10), Point(10, 90)], pattern: [7, 4])
        XCTAssertEqual(Array(dashes.prefix(plain.count - 1)).map { $0.0 }, Array(plain.prefix(plain.count - 1)).map { $0.0 })
    }

    func testDivergingDashedCurveRenders() {
        var chart = LineChart(title: "lr range", xLabel: "batch", yLabel: "loss")
        chart.series = [LineChart.Series("lr 1e+05 (not decreasing)", y: [0.7, 5_000, 2.26e8, 4e14, 1e30], dashed: true, markers: false),
                        LineChart.Series("lr 0.01", y: [0.7, 0.6, 0.5, 0.45, 0.4])]
        chart.yRange = 0...1.4
        let canvas = chart.render()
        XCTAssertEqual(canvas.width, 960)
    }

    func testExtremeAxisRanges() {
        for values in [[0, 3.4e38], [-3.4e38, 3.4e38], [1e-300, 1e300], [1e17, 1e17 + 1e6]] {
            let linear = Axis.make(covering: values, scale: .linear, targetTicks: 6)
            XCTAssertLessThan(linear.ticks.count, 40, "\(values)")
            let log = Axis.make(covering: values, scale: .log, targetTicks: 6)
            XCTAssertLessThan(log.ticks.count, 40, "\(values)")
        }
    }
}
