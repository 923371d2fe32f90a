import Imaging
import Plotting
import XCTest

/// Empty, flat, single-point and non-finite data give a figure, never a crash.
final class EdgeCaseTests: XCTestCase {
    func testDegenerateDataStillRenders() {
        var diverged = LineChart(title: "diverged", series: [.init("loss", y: [2.3, .nan, .infinity, 1e300, 2.0])])
        diverged.yScale = .log
        let figures: [any Figure] = [
            LineChart(title: "empty"),
            LineChart(series: [.init("one point", y: [0.5])]),
            diverged,
            BarChart(labels: [], values: []),
            BarChart.classCounts(names: ["only"], counts: [0]),
            Heatmap(rowLabels: [], columnLabels: [], values: []),
            Heatmap.confusionMatrix(classNames: ["a", "b"], counts: [[0, 0], [3, 1]], normalized: true),
            Histogram(groups: [.init("none", values: [])]),
            Histogram(groups: [.init("same", values: [0.5, 0.5, 0.5])]),
            ImageGrid(cells: []),
            ImageGrid(cells: [.init(Image(width: 1, height: 1, channels: 1))]),
        ]
        for figure in figures {
            let canvas = figure.render(scale: 1)
            XCTAssertGreaterThan(canvas.width, 0)
            XCTAssertGreaterThan(canvas.height, 0)
        }
    }

    func testPanelsPlaceFiguresSideBySide() {
        var loss = SampleData.lossChart(), accuracy = SampleData.accuracyChart()
        loss.width = 480
        accuracy.width = 480
        let row = Panels([loss, accuracy]).render(scale: 1)
        XCTAssertEqual(row.width, 960)
        XCTAssertEqual(row.height, 600)
        XCTAssertEqual(row.toImage().pixels.count, 960 * 600 * 3)
        let column = Panels([loss, accuracy], direction: .vertical).render(scale: 1)
        XCTAssertEqual(column.height, 1200)
    }

    func testHistogramCountsIncludeTheUpperEdge() {
        let h = Histogram(groups: [.init("x", values: [0, 0.49, 0.5, 1, 1.5])], bins: 2, range: 0...1)
        XCTAssertEqual(h.counts(), [[2, 2]])
    }
}
