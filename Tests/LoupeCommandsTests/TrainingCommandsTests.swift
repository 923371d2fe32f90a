import Foundation
import XCTest
import LoupeLang
@testable import LoupeCommands
import Datasets
import Workflow

final class TrainingCommandsTests: XCTestCase {
    func model(_ h: ScriptHarness, _ name: String = "m") throws -> ModelValue {
        guard case .object(let o)? = h.value(name), let m = o as? ModelValue else { throw XCTSkip("no model \(name)") }
        return m
    }

    func testTrainReachesHighAccuracyAndWritesTheRunFolder() throws {
        let h = try quadrantHarness(perClass: 16)
        let out = try h.lines("""
            m = resnet 20 classes=d
            run = train m d epochs=6 lr=0.01 optimizer=adamw
            print run.epochs run.best_epoch run.accuracy run.stopped_early
            """)
        let text = out.joined(separator: "\n")
        XCTAssertTrue(text.contains("epoch 1: train loss"), text)
        XCTAssertTrue(text.contains("epoch 6: train loss"), text)
        // Each epoch line ends with the epoch's wall time.
        let epochLines = text.split(separator: "\n").filter { $0.hasPrefix("epoch ") && $0.contains(": train loss") }
        XCTAssertFalse(epochLines.isEmpty)
        for l in epochLines { XCTAssertNotNil(l.range(of: #"; lr \S+ \((\d+ min )?[\d.]+ s\)$"#, options: .regularExpression), String(l)) }
        let fields = out.last!.split(separator: " ")
        XCTAssertEqual(fields[0], "6")
        XCTAssertGreaterThanOrEqual(Double(fields[2])!, 0.9, text)
        XCTAssertEqual(fields[3], "false")
        let folder = h.path("run-1")
        let csv = try String(contentsOfFile: folder + "/history.csv", encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").count, 7, csv)
        XCTAssertTrue(csv.hasPrefix("epoch,train_loss,train_accuracy,dev_loss,dev_accuracy,lr,seconds"))
        // `export run.history` writes the very same file: same columns, full precision.
        try h.lines("export run.history \"\(h.path("exported-history.csv"))\"")
        XCTAssertEqual(try String(contentsOfFile: h.path("exported-history.csv"), encoding: .utf8), csv)
        let firstLoss = try XCTUnwrap(Double(String(csv.split(separator: "\n")[1].split(separator: ",")[1])))
        XCTAssertEqual(firstLoss, try XCTUnwrap(h.run("print run.history[0][1]").first.flatMap { Double($0) }), accuracy: 1e-5)
        XCTAssertGreaterThan(String(csv.split(separator: "\n")[1].split(separator: ",")[1]).count, 8, "not rounded to 4 decimals: \(csv)")
        for file in ["curves.png", "last.loupe", "best.loupe"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/" + file), file)
        }
        // The model was trained in place and records the run.
        XCTAssertEqual(try model(h).trainingRecords.first?.history.count, 6)
        let best = try h.lines("b = load_model \"\(folder)/best.loupe\"\nprint b.classes")
        XCTAssertEqual(best.last, "[\"class0\", \"class1\", \"class2\", \"class3\"]")
        // A second run gets the next folder.
        try h.lines("run2 = train m d.train epochs=1 checkpoint=false")
        XCTAssertTrue(FileManager.default.fileExists(atPath: h.path("run-2") + "/history.csv"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: h.path("run-2") + "/last.loupe"))
    }

    func testSameSeedPrintsTheSameNumbers() throws {
        func transcript() throws -> [String] {
            let h = try quadrantHarness(seed: 5)
            return try h.lines("""
                m = resnet 20 classes=d
                run = train m d epochs=2 lr=0.01
                print run.best_loss run.accuracy
                """).filter { !$0.hasPrefix("files:") }
                .map { $0.replacingOccurrences(of: #" \((\d+ min )?[\d.]+ s\)$"#, with: "", options: .regularExpression) }
        }
        let a = try transcript(), b = try transcript()
        XCTAssertEqual(a, b)
        XCTAssertTrue(a.contains { $0.hasPrefix("epoch 2:") })
    }

    func testTrainBeforeSplitIsRefusedWithAHint() throws {
        let h = try quadrantHarness(split: false)
        try h.lines("m = resnet 20 classes=d")
        let message = h.error("run = train m d epochs=1")
        XCTAssertTrue(message.contains("split d"), message)
        XCTAssertNil(h.value("run"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: h.path("run-1")), "a refused run leaves no folder")
    }

    func testBadHyperparametersNameTheParameter() throws {
        let h = try quadrantHarness()
        try h.lines("m = resnet 20 classes=d")
        XCTAssertTrue(h.error("run = train m d lr=-1").contains("'lr'"))
        XCTAssertTrue(h.error("run = train m d epochs=0").contains("'epochs'"))
        XCTAssertTrue(h.error("run = train m d class_weights=[1, 2]").contains("class_weights"))
        XCTAssertTrue(h.error("run = train m d epoch=3").contains("epochs"))
        try h.lines("m3 = resnet 20 classes=3")
        XCTAssertTrue(h.error("run = train m3 d epochs=1").contains("reset_head"))
    }

    func testDivergingLossStopsWithAHintAndFiniteWeights() throws {
        let h = try quadrantHarness()
        let out = try h.lines("m = resnet 20 classes=d\nrun = train m d epochs=3 lr=1e6 schedule=constant checkpoint=false\nprint run.epochs")
        XCTAssertTrue(out.contains { $0.contains("Lower the learning rate") }, "\(out)")
        XCTAssertTrue(out.contains { $0.contains("the loss diverged") }, "\(out)")
        XCTAssertTrue(try model(h).model.isFinite, "\(out)")
    }

    func testEarlyStopAndResume() throws {
        let h = try quadrantHarness()
        try h.lines("m = resnet 20 classes=d\nrun = train m d epochs=2 lr=0.01 schedule=constant early_stop=5")
        let out = try h.lines("resume run epochs=2\nprint run.epochs")
        XCTAssertTrue(out.contains { $0.hasPrefix("epoch 4:") }, "\(out)")
        XCTAssertEqual(out.last, "4")
        XCTAssertTrue(h.error("resume run").contains("epochs=N"))
        let csv = try String(contentsOfFile: h.path("run-1/history.csv"), encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").count, 5)
    }

    func testInterruptedTrainingKeepsTheRunAndResumes() throws {
        let h = try quadrantHarness()
        try h.lines("m = resnet 20 classes=d")
        // Ctrl-C once training has started (a flag set before the statement would stop the statement itself).
        XCTAssertThrowsError(try InterruptingHarness(h).runInterrupted("run = train m d epochs=3")) { error in
            XCTAssertTrue("\(error)".contains("interrupted; what the statement finished is kept"), "\(error)")
        }
        let out = try h.lines("print run.epochs\nresume run\nprint run.epochs")
        XCTAssertEqual(out.first, "0")
        XCTAssertEqual(out.last, "3")
    }

    func testCtrlCInLRRangeStopsWithTheModelUnchanged() throws {
        let h = try quadrantHarness()
        try h.lines("m = resnet 20 classes=d")
        let before = try model(h).model.state().flatMap(\.values)
        XCTAssertThrowsError(try InterruptingHarness(h).runInterrupted("r = lr_range m d batches=5", when: "lr_range:")) { error in
            XCTAssertTrue("\(error)".contains("interrupted"), "\(error)")
        }
        XCTAssertNil(h.value("r"))
        XCTAssertEqual(try model(h).model.state().flatMap(\.values), before)
    }

    func testProgressBarsPerEpochAndPerRateNeverOverlapLines() throws {
        let h = try quadrantHarness()
        try h.lines("m = resnet 20 classes=d")
        let recorder = RecordingProgress()
        let context = RunContext(output: { recorder.events.append("line " + $0.trimmingCharacters(in: .newlines)) }, progress: recorder, showsExpressionValues: true)
        try h.interpreter.run(SourceFile(name: "<test>", text: "run = train m d epochs=2\nr = lr_range m d lrs=[0.1, 0.01] batches=4"), in: &h.session, context: context)
        let starts = recorder.events.filter { $0.hasPrefix("start ") }
        XCTAssertEqual(starts, ["start train epoch 1/2 3", "start train epoch 2/2 3", "start lr_range lr 0.1 (1/2) 3", "start lr_range lr 0.01 (2/2) 3"])
        // Every line is written while no bar is active.
        var active = false
        for e in recorder.events {
            if e.hasPrefix("start ") { active = true } else if e == "finish" { active = false }
            else if e.hasPrefix("line ") { XCTAssertFalse(active, "a line while a bar is drawn: \(e)") }
        }
        XCTAssertTrue(recorder.events.contains("update 3"))
    }

    func testFineTuneChoosesHeadOnlyForSmallData() throws {
        let h = try quadrantHarness()
        let out = try h.lines("m = resnet 20 classes=d\nrun = fine_tune m d\nprint run.epochs m.frozen")
        XCTAssertTrue(out.contains { $0.contains("training only the head") }, "\(out)")
        XCTAssertEqual(out.last, "10 false")
        let two = try h.lines("run2 = fine_tune m d head_epochs=1 epochs=1 head_lr=0.01\nprint run2.epochs m.frozen")
        XCTAssertTrue(two.contains { $0.hasPrefix("step 2, everything") }, "\(two)")
        XCTAssertEqual(two.last, "2 false")
        let csv = try String(contentsOfFile: h.path("run-2/history.csv"), encoding: .utf8)
        XCTAssertTrue(csv.contains(",head\n") && csv.contains(",all\n"), csv)
        // Workflow writes history.csv, the language's table exports the same rows: one text.
        try h.lines("export run2.history \"\(h.path("exported-history.csv"))\"")
        XCTAssertEqual(try String(contentsOfFile: h.path("exported-history.csv"), encoding: .utf8), csv)
    }

    /// A model's origin is typed (Workflow's `ModelOrigin`: `fine_tune` asks it) and worded as
    /// reports have always shown it.
    func testModelOriginIsTypedAndWordedAsReportsShowIt() throws {
        let h = try quadrantHarness()
        try h.lines("seed 4\nm = resnet 20 classes=d\nsave m \"\(h.path("m.loupe"))\"\nm2 = load_model \"\(h.path("m.loupe"))\"")
        XCTAssertEqual(try model(h).origin, .randomInitialisation(depth: 20, seed: 4))
        XCTAssertEqual(try model(h).origin?.text, "resnet20, random initialisation (seed 4)")
        XCTAssertEqual(try model(h, "m2").origin?.text, "loaded from \(h.path("m.loupe")) (version 1)")
        XCTAssertEqual(ModelOrigin.pretrained(depth: 18, weights: .imagenet(version: "IMAGENET1K_V1", fileName: "resnet18-f37072fd.pth")).text,
                       "resnet18, torchvision IMAGENET1K_V1 ImageNet weights (resnet18-f37072fd.pth)")
        XCTAssertEqual(ModelOrigin.pretrained(depth: 34, weights: .file("w.pth")).text, "resnet34, weights from w.pth")
        XCTAssertEqual(ModelOrigin.imported(path: "a.pth", architecture: "resnet18").text, "imported from a.pth (resnet18)")
        let out = try h.lines("run = fine_tune m2 d head_epochs=1 epochs=0")
        XCTAssertFalse(out.contains { $0.contains("randomly initialised") }, "a loaded model's weights were learned: \(out)")
        let fresh = try h.lines("run2 = fine_tune m d head_epochs=1 epochs=0")
        XCTAssertTrue(fresh.contains { $0.contains("randomly initialised") }, "\(fresh)")
    }

    func testOverfitPassesOnFiveImagesAndLeavesTheModel() throws {
        let h = try quadrantHarness()
        try h.lines("m = resnet 20 classes=d")
        let before = try model(h).model.state().flatMap(\.values)
        let out = try h.lines("o = overfit m d n=5 steps=40 lr=0.003\nprint o.passed o.accuracy")
        XCTAssertEqual(out.last, "true 1", out.joined(separator: "\n"))
        XCTAssertEqual(out.filter { $0.hasPrefix("overfit passed") }.count, 1, "\(out)")
        let bare = try h.lines("overfit m d n=5 steps=40 lr=0.003")
        XCTAssertEqual(bare.filter { $0.hasPrefix("overfit passed") }.count, 1, "the shown result is the only summary: \(bare)")
        XCTAssertEqual(try model(h).model.state().flatMap(\.values), before)
        XCTAssertEqual(onePerClassFirst(labels: [0, 0, 1, 2, 1, 3, 3], classes: 4, n: 5), [0, 2, 3, 5, 1])
        let failing = try h.lines("o = overfit m d n=4 steps=5 lr=0.0000001\nprint o.passed")
        XCTAssertEqual(failing.last, "false")
        XCTAssertTrue(failing.contains { $0.hasPrefix("  1.") }, "\(failing)")
    }

    func testLRRangeLeavesTheModelUnchanged() throws {
        let h = try quadrantHarness()
        try h.lines("m = resnet 20 classes=d")
        let before = try model(h).model.state().flatMap(\.values)
        let out = try h.lines("r = lr_range m d lrs=[1, 0.01, 0.0001] epochs=2 batches=6\nprint r.best\nt = r.table")
        XCTAssertEqual(try model(h).model.state().flatMap(\.values), before)
        XCTAssertTrue(out.contains { $0.hasPrefix("r.best = ") || $0.hasPrefix("no rate") }, "\(out)")
        XCTAssertTrue(out.contains { $0.hasPrefix("figure: ") && $0.hasSuffix("lr-range-1.png") }, "\(out)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: h.path("lr-range-1.png")))
        XCTAssertTrue(h.error("r = lr_range m d lrs=[0.1, -1]").contains("lrs"))
    }

    func testLRFindSuggestsRatesAndDrawsALogFigure() throws {
        let h = try quadrantHarness()
        try h.lines("m = resnet 20 classes=d")
        let before = try model(h).model.state().flatMap(\.values)
        let out = try h.lines("f = lr_find m d iterations=30 to=\"\(h.path("find.png"))\"\nprint f.suggestion > 0 f.minimum > 0 f.steep > 0")
        XCTAssertEqual(out.last, "true true true")
        XCTAssertTrue(FileManager.default.fileExists(atPath: h.path("find.png")))
        XCTAssertEqual(try model(h).model.state().flatMap(\.values), before)
        XCTAssertTrue(h.error("f = lr_find m d start=1 end=0.1").contains("'end'"))
        XCTAssertTrue(h.error("f = lr_find m d iterations=5").contains("'iterations'"))
    }

    /// When lr_range and lr_find disagree on the same model and data, the second to run says so
    /// and which to use when; for another dataset nothing is said.
    func testLRRangeAndLRFindSayWhenTheyDisagree() throws {
        let h = try quadrantHarness()
        try h.lines("m = resnet 20 classes=d")
        guard case .object(let d as DatasetValue)? = h.value("d") else { return XCTFail("no dataset d") }
        let m = try model(h)
        m.rangeBest = (ObjectIdentifier(d), 1000)
        let out = try h.lines("f = lr_find m d iterations=30")
        XCTAssertTrue(out.contains { $0.hasPrefix("note: lr_range's 1000 and lr_find's") && $0.contains("onecycle") }, "\(out)")
        XCTAssertNotNil(m.findSuggestion)
        m.rangeBest = (ObjectIdentifier(m), 1000)
        XCTAssertFalse(try h.lines("f = lr_find m d iterations=30").contains { $0.hasPrefix("note: lr_range's") })
    }

    func testRunIsPlottableAndReportable() throws {
        let h = try quadrantHarness()
        try h.lines("m = resnet 20 classes=d\nrun = train m d epochs=2 checkpoint=false")
        guard case .object(let o)? = h.value("run"), let run = o as? RunValue else { return XCTFail("no run") }
        let image = try run.figure("curves").image(scale: 1)
        XCTAssertGreaterThan(image.width, image.height, "loss and accuracy side by side")
        // `report run`: data, model, curves, held-out metrics, confusion, mistakes, diagnosis.
        let titles = try run.reportSections().map(\.title)
        XCTAssertEqual(titles.first, "Data")
        for t in ["Model and hyperparameters", "Training curves", "Confusion matrix", "Worst mistakes", "Diagnosis"] {
            XCTAssertTrue(titles.contains(t), "missing \(t) in \(titles)")
        }
        XCTAssertTrue(titles.contains { $0.hasPrefix("Final metrics on the") }, "\(titles)")
        // The training family's per-phase view stays available for fine-tune runs.
        XCTAssertEqual(try run.trainingSections().map(\.title), ["Model and hyperparameters", "Curves", "History"])
        let png1 = try Data(contentsOf: URL(fileURLWithPath: h.path("run-1/curves.png")))
        try run.figure("curves").write(to: h.path("again.png"))
        XCTAssertEqual(png1, try Data(contentsOf: URL(fileURLWithPath: h.path("again.png"))), "figures are deterministic")
    }
}

/// Runs a statement and presses Ctrl-C as soon as training has started (on the first output line).
final class InterruptingHarness {
    let harness: ScriptHarness
    init(_ h: ScriptHarness) { harness = h }

    func runInterrupted(_ source: String, when prefix: String = "resnet20 on") throws {
        let flag = harness.interruption
        defer { flag.clear() }
        let context = RunContext(output: { line in if line.hasPrefix(prefix) { flag.request() } }, interruption: flag, showsExpressionValues: true)
        try harness.interpreter.run(SourceFile(name: "<test>", text: source), in: &harness.session, context: context)
    }
}

/// Records progress calls in order, with the output lines, to check bars and lines never mix.
final class RecordingProgress: ProgressReporter {
    var events: [String] = []
    func start(_ task: ProgressTask) { events.append("start \(task.title) \(task.steps)") }
    func update(_ update: ProgressUpdate) { events.append("update \(update.step)") }
    func finish(_ summary: String?) { events.append("finish") }
}
