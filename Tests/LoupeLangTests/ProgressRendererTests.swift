import LoupeLang
import XCTest

/// The text rendering of progress: a redrawn bar, or plain lines.
final class ProgressRendererTests: XCTestCase {
    func testLinesPerEpoch() {
        var text = ""
        var clock = 0.0
        let renderer = ProgressRenderer(style: .lines, write: { text += $0 }, now: { clock })
        renderer.start(ProgressTask(title: "train", epochs: 2, steps: 3))
        for epoch in 1...2 {
            for step in 1...3 {
                clock += 1
                renderer.update(ProgressUpdate(epoch: epoch, step: step, loss: 0.5 / Double(epoch)))
            }
        }
        renderer.finish("done")
        XCTAssertEqual(text, "train: epoch 1/2  loss 0.5000  (0:03)\ntrain: epoch 2/2  loss 0.2500  (0:06)\ntrain: done\n")
    }

    func testBarWithEstimate() {
        var text = ""
        var clock = 0.0
        let renderer = ProgressRenderer(style: .bar(width: 10), write: { text += $0 }, now: { clock })
        renderer.start(ProgressTask(title: "copy", steps: 4, unit: "file"))
        clock = 2
        renderer.update(ProgressUpdate(step: 1))
        XCTAssertEqual(text, "\rcopy [##........] 25%  file 1/4  ETA 0:06\u{1B}[K")
        renderer.finish(nil)
        XCTAssertTrue(text.hasSuffix("\r\u{1B}[K"), "the bar is cleared at the end")
    }
}
