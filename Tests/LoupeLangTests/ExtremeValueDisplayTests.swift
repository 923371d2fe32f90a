import LoupeLang
import XCTest

/// Display code never traps on a value a diverging training can produce (issue 13, class 1).
final class ExtremeValueDisplayTests: XCTestCase {
    static let extremes: [Double] = [1e15, 4.29e17, 1e19, 3.4e38, .infinity, -.infinity, .nan, -1e300]

    func testSaturatingConversionNeverTraps() {
        XCTAssertEqual(Int(saturating: 1e300), .max)
        XCTAssertEqual(Int(saturating: -.infinity), .min)
        XCTAssertEqual(Int(saturating: .nan), 0)
        XCTAssertEqual(Int(saturating: 42.9), 42)
    }

    /// A loss of 4.3e14 killed `train … lr=100000` in the renderer's fixed-point formatting.
    func testLinesWithExtremeLosses() {
        var text = ""
        let renderer = ProgressRenderer(style: .lines, write: { text += $0 }, now: { 0 })
        renderer.start(ProgressTask(title: "train", epochs: Self.extremes.count, steps: 1))
        for (i, loss) in Self.extremes.enumerated() {
            renderer.update(ProgressUpdate(epoch: i + 1, step: 1, loss: loss))
        }
        renderer.finish(nil)
        XCTAssertTrue(text.contains("loss 1000000000000000.0"), text)
        XCTAssertTrue(text.contains("loss inf"), text)
        XCTAssertTrue(text.contains("loss nan"), text)
    }

    func testBarWithExtremeLossesAndTimes() {
        var text = ""
        var clock = 0.0
        let renderer = ProgressRenderer(style: .bar(width: 10), write: { text += $0 }, now: { clock })
        renderer.start(ProgressTask(title: "train", steps: 1_000_000, unit: "batch"))
        for (i, loss) in Self.extremes.enumerated() {
            clock = i == 0 ? 1e300 : clock * 10   // an estimate beyond any clock
            renderer.update(ProgressUpdate(step: 1, loss: loss))
        }
        renderer.finish(nil)
        XCTAssertTrue(text.contains("loss 3.4e+38"), text)
    }
}
