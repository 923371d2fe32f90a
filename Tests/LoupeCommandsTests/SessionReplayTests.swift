import Foundation
import XCTest
import LoupeLang

/// Issue 4, done-when 3: `save_session`, then running the saved script in a fresh session,
/// prints the same results and writes byte-identical figures.
final class SessionReplayTests: XCTestCase {
    func testSavedSessionReplaysTheSameNumbersAndByteIdenticalFigures() throws {
        let first = try ScriptHarness(seed: 5)
        let folder = try first.makeQuadrantFolder(classes: 4, perClass: 10)
        let figure = first.path("samples.png"), curves = first.path("curves.png"), script = first.path("session.loupe")
        let source = """
        d = dataset "\(folder)"
        split d val=0.25 test=0.25
        show d.train n=8 to="\(figure)"
        m = resnet 20 classes=d
        run = train m d epochs=2 lr=0.05 checkpoint=false
        e = evaluate m d.test
        print e.accuracy e.loss
        plot run to="\(curves)"
        save_session "\(script)"
        """
        let printed = try first.lines(source)
        let figureBytes = try Data(contentsOf: URL(fileURLWithPath: figure))
        let curveBytes = try Data(contentsOf: URL(fileURLWithPath: curves))
        try FileManager.default.removeItem(atPath: figure)
        try FileManager.default.removeItem(atPath: curves)

        // A fresh session with another default seed: the saved script must set its own.
        let second = try ScriptHarness(seed: 99)
        let saved = try String(contentsOfFile: script, encoding: .utf8)
        XCTAssertTrue(saved.contains("seed 5"), saved)
        let replayed = try second.lines(saved)
        XCTAssertEqual(numbers(in: replayed), numbers(in: printed), "the replay printed other numbers")
        XCTAssertFalse(numbers(in: printed).isEmpty)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: figure)), figureBytes, "samples figure differs on replay")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: curves)), curveBytes, "curves figure differs on replay")
    }

    /// The lines that carry results (losses and accuracies), without timings or paths of run folders.
    private func numbers(in lines: [String]) -> [String] {
        lines.filter { $0.hasPrefix("epoch ") || $0.first?.isNumber == true }
            .map { $0.replacingOccurrences(of: #"\((\d+ min )?[\d.]+ s\)"#, with: "", options: .regularExpression) }
    }
}
