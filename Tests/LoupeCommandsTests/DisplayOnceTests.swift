import Foundation
import XCTest
import LoupeLang
import LoupeCommands

/// Each result is said once, on every front end: the terminal text and the display events
/// (which the notebook and the kernel render) carry no repeats.
final class DisplayOnceTests: XCTestCase {
    /// Collects display events, as a notebook front end receives them.
    final class Recorder: DisplaySink {
        var events: [DisplayEvent] = []
        func emit(_ event: DisplayEvent) { events.append(event) }
        var figures: [FigureDisplay] { events.compactMap { if case .figure(let f) = $0 { f } else { nil } } }
        var results: [Value] { events.compactMap { if case .result(let v) = $0 { v } else { nil } } }
        var texts: [String] { events.compactMap { if case .text(let t) = $0 { t } else { nil } } }
    }

    func testEveryFigureAndResultIsSaidOnce() throws {
        let h = try ScriptHarness()
        try h.installRun(variable: "other", name: "2", epochs: 3)
        try h.installRun()
        for statement in ["plot run", "show d n=4", "report run", "review d", "mistakes m d.val n=4", "compare run other",
                          "f = plot run what=loss", "e = evaluate m d.val", "e"] {
            let out = try h.lines(statement)
            let repeated = Dictionary(grouping: out, by: { $0 }).filter { $0.value.count > 1 && !$0.key.trimmingCharacters(in: .whitespaces).isEmpty }
            XCTAssertTrue(repeated.isEmpty, "\(statement) printed twice: \(repeated.keys.sorted())\n\(out.joined(separator: "\n"))")
            for line in out where line.hasPrefix("figure: ") {
                let path = String(line.dropFirst(8))
                XCTAssertEqual(out.filter { $0.contains(path) }.count, 1, "\(statement): \(path) is named once\n\(out.joined(separator: "\n"))")
            }
        }
    }

    func testNotebookEventsCarryEachFigureOnceAndNoFigureResult() throws {
        let h = try ScriptHarness()
        try h.installRun()
        let recorder = Recorder()
        let context = RunContext(display: recorder, showsExpressionValues: true)
        try h.interpreter.run(SourceFile(name: "<cell 1>", text: "plot run\nshow d n=4"), in: &h.session, context: context)
        XCTAssertEqual(recorder.figures.count, 2, "\(recorder.events)")
        XCTAssertEqual(Set(recorder.figures.map(\.path)).count, 2)
        XCTAssertTrue(recorder.results.isEmpty, "a figure already shown is not shown again as the result: \(recorder.results)")
        XCTAssertTrue(recorder.texts.allSatisfy { !$0.contains("figure:") }, "figures are events, not text: \(recorder.texts)")
    }

    func testAssignmentsOfObjectsAnswerWithOneLineAtTheREPL() throws {
        let h = try ScriptHarness()
        try h.installRun()
        let out = try h.lines("m2 = resnet 20 classes=d")
        XCTAssertEqual(out.count, 1, "\(out)")
        XCTAssertTrue(out[0].hasPrefix("m2: resnet20"), out[0])
        XCTAssertEqual(try h.lines("x = 1 + 2"), [], "plain values assign silently")
    }

    func testTrainingEmitsRowsAndRedrawsItsCurvesInPlace() throws {
        let h = try ScriptHarness()
        try h.installRun()
        let recorder = Recorder()
        let context = RunContext(display: recorder, showsExpressionValues: true)
        try h.interpreter.run(SourceFile(name: "<cell 1>", text: "run2 = train m d epochs=2 batch=4"), in: &h.session, context: context)
        let rows = recorder.events.compactMap { if case .row(let r) = $0 { r } else { nil } }
        XCTAssertEqual(rows.map { $0.values.first?.literal }, ["1", "2"])
        XCTAssertEqual(rows.first?.columns, ["epoch", "train_loss", "train_accuracy", "dev_loss", "dev_accuracy", "lr", "seconds"])
        let curves = recorder.figures.filter { $0.id != nil }
        XCTAssertEqual(curves.count, 2, "the curves are redrawn once per epoch")
        XCTAssertEqual(Set(curves.map(\.id)).count, 1, "under one id")
        XCTAssertTrue(recorder.events.contains { if case .progressUpdated = $0 { true } else { false } })
    }

    func testTableCellsShowThePrecisionTheyNeed() {
        XCTAssertEqual(Table.cellText(.number(0.99996)), "0.99996")
        XCTAssertEqual(Table.cellText(.number(0.9999)), "0.9999")
        XCTAssertEqual(Table.cellText(.number(0.0004)), "0.0004")
        XCTAssertEqual(Table.cellText(.number(0.12345)), "0.1235")
        XCTAssertEqual(Table.cellText(.number(3)), "3")
        XCTAssertEqual(Table.cellText(.number(.infinity)), "inf")
    }
}
