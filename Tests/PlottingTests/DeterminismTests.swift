import Imaging
import Plotting
import XCTest

/// The same data gives byte-identical PNG files, render after render.
final class DeterminismTests: XCTestCase {
    func testEveryFigureIsByteIdenticalAcrossRenders() throws {
        let figures: [(String, any Figure)] = [
            ("loss", SampleData.lossChart()), ("lr sweep", SampleData.lrSweepChart()), ("bars", SampleData.longNameBarChart()),
            ("heatmap", SampleData.confusionNormalized()), ("histogram", SampleData.confidenceHistogram()),
            ("grid", SampleData.mistakesGrid()),
        ]
        for (name, figure) in figures {
            let a = try figure.pngData(), b = try figure.pngData()
            XCTAssertFalse(a.isEmpty)
            XCTAssertEqual(a, b, "\(name) differs between two renders")
        }
    }

    func testWrittenFilesAreIdentical() throws {
        let folder = NSTemporaryDirectory() + "loupe-plot-determinism-\(ProcessInfo.processInfo.processIdentifier)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let chart = SampleData.confusionCounts()
        try chart.write(to: folder + "/a.png")
        try chart.write(to: folder + "/b.png")
        let a = FileManager.default.contents(atPath: folder + "/a.png"), b = FileManager.default.contents(atPath: folder + "/b.png")
        XCTAssertNotNil(a)
        XCTAssertEqual(a, b)
        let decoded = try PNG.decode([UInt8](a ?? Data()), source: "a.png")
        XCTAssertEqual(decoded.width, 960)
        XCTAssertEqual(decoded.height, 600)
    }

    func testScaleMultipliesTheSize() {
        let chart = SampleData.accuracyChart()
        XCTAssertEqual(chart.render(scale: 1).width, 960)
        XCTAssertEqual(chart.render(scale: 2).height, 1200)
    }
}
