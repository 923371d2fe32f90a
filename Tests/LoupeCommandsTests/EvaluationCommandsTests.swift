import Foundation
import XCTest
import LoupeLang
import LoupeCommands
import Datasets
import NeuralNet
import Workflow
import Imaging

/// Builds what the training family's commands would: a split quadrant dataset `d`, a small
/// ResNet `m` and a trained run, installed as session variables.
extension ScriptHarness {
    @discardableResult
    func installRun(variable: String = "run", name: String = "1", epochs: Int = 12, learningRate: Float = 0.05,
                    weightDecay: Float = 5e-4, modelSeed: UInt64 = 1) throws -> RunValue {
        let folder = try makeQuadrantFolder(classes: 4, perClass: 12)
        let fractions = try SplitFractions.resolve(train: 0.5, val: 0.25, test: 0.25, hasPresetTest: false)
        let dataset = try Dataset.load(folder).splitting(fractions, seed: 0)
        var config = try ResNetConfig.resnet(depth: 20, classes: 4, inputChannels: 1)
        config.stages = [1, 1, 1]
        let metadata = ModelMetadata(architecture: config, classNames: dataset.classes, inputWidth: 28, inputHeight: 28,
                                     normalization: .none(channels: 1), id: "quadrant-model")
        let model = ModelValue(model: ResNet(config, seed: modelSeed), metadata: metadata)
        let preprocessing = Preprocessing(metadata)
        var options = TrainingOptions()
        options.epochs = epochs; options.learningRate = learningRate; options.batchSize = 4; options.weightDecay = weightDecay
        let run = try TrainingRun(model: model.model,
                                  train: DatasetBatchSource(dataset: dataset.subset(.train)!, preprocessing: preprocessing),
                                  dev: DatasetBatchSource(dataset: dataset.subset(.val)!, preprocessing: preprocessing), options: options)
        try run.run()
        let data = DatasetValue(dataset)
        let value = RunValue(run: run, model: model, data: data, name: name)
        session.variables[variable] = .object(value)
        session.variables["m"] = .object(model)
        session.variables["d"] = .object(data)
        return value
    }
}

extension ScriptHarness {
    /// Copies the work folder to $LOUPE_KEEP_TEST_OUTPUT/NAME when that variable is set, to look at the figures.
    func keepOutputs(_ name: String) {
        guard let root = ProcessInfo.processInfo.environment["LOUPE_KEEP_TEST_OUTPUT"] else { return }
        let target = URL(fileURLWithPath: root).appendingPathComponent(name)
        try? FileManager.default.removeItem(at: target)
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try? FileManager.default.copyItem(at: workdir, to: target)
        try? Data(output.joined(separator: "\n").utf8).write(to: target.appendingPathComponent("output.txt"))
    }
}

/// Width and height of a PNG file, read from its IHDR chunk.
func pngSize(_ path: String) throws -> (Int, Int) {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    XCTAssertEqual(Array(bytes.prefix(8)), [137, 80, 78, 71, 13, 10, 26, 10], "\(path) is not a PNG")
    func be32(_ o: Int) -> Int { bytes[o..<(o + 4)].reduce(0) { $0 << 8 | Int($1) } }
    return (be32(16), be32(20))
}

final class EvaluationCommandsTests: XCTestCase {
    func testEvaluatePrintsMetricsAndExposesAttributes() throws {
        let h = try ScriptHarness()
        try h.installRun()
        let out = try h.lines("e = evaluate m d.test").joined(separator: "\n")
        XCTAssertTrue(out.contains("accuracy "), out)
        XCTAssertTrue(out.contains("macro F1"), out)
        for name in ["class0", "class1", "class2", "class3", "precision", "recall", "top-2"] { XCTAssertTrue(out.contains(name), "\(name) missing in:\n\(out)") }
        let accuracy = try h.lines("print e.accuracy")[0]
        let a = try XCTUnwrap(Double(accuracy))
        XCTAssertGreaterThanOrEqual(a, 0); XCTAssertLessThanOrEqual(a, 1)
        XCTAssertEqual(try h.lines("print e.count")[0], "12", "a quarter of 48 images is the test split")
        let f1 = try h.lines("print e.f1")[0]
        XCTAssertEqual(f1.filter { $0 == "," }.count, 3, "four per-class F1 scores: \(f1)")
        let confusion = try h.lines("print e.confusion")
        XCTAssertTrue(confusion[0].hasPrefix("true \\ predicted"), confusion.joined(separator: "\n"))
        XCTAssertEqual(confusion.count, 2 + 4)
        // The counts in the confusion matrix add up to the images evaluated.
        let total = confusion.dropFirst(2).flatMap { $0.split(separator: " ").dropFirst().compactMap { Int($0) } }.reduce(0, +)
        XCTAssertEqual(total, 12)
        XCTAssertTrue(try h.lines("print e.top_k").joined(separator: "\n").contains("accuracy"))
        // Deterministic: the same evaluation prints the same numbers.
        XCTAssertEqual(try h.lines("evaluate m d.test"), try h.lines("evaluate m d.test"))
    }

    func testEvaluateRejectsDataWithOtherClasses() throws {
        let h = try ScriptHarness()
        try h.installRun()
        let other = try ScriptHarness()
        let folder = try other.makeQuadrantFolder(classes: 3, perClass: 4)
        h.session.variables["three"] = .object(DatasetValue(try Dataset.load(folder)))
        let message = h.error("e = evaluate m three")
        XCTAssertTrue(message.contains("'d'") || message.contains("three"), message)
        XCTAssertTrue(message.contains("the model has 4 outputs") && message.contains("has 3 classes"), message)
        XCTAssertNil(h.value("e"), "a failed command leaves the session unchanged")
    }

    /// Evaluation follows the rule training follows (Workflow's `ClassMatch`): placeholder names
    /// of a `classes=N` model match by position with a note; other names, or the same names in
    /// another order, are refused with the remedy.
    func testEvaluateMatchesClassesByTheTrainingRule() throws {
        let h = try ScriptHarness()
        let run = try h.installRun(epochs: 1)
        run.model.metadata.classNames = ["0", "1", "2", "3"]
        let placeholders = try h.lines("e = evaluate m d.test")
        XCTAssertTrue(placeholders.contains { $0.hasPrefix("note: the model's classes (0, 1, 2, 3)") && $0.hasSuffix("they are matched by position") },
                      placeholders.joined(separator: "\n"))
        run.model.metadata.classNames = ["w", "x", "y", "z"]
        let other = h.error("e2 = evaluate m d.test")
        XCTAssertTrue(other.contains("are not those of test split") && other.contains("reset_head m classes=d"), other)
        XCTAssertNil(h.value("e2"))
        run.model.metadata.classNames = ["class1", "class0", "class2", "class3"]
        XCTAssertTrue(h.error("evaluate m d.test").contains("the same classes in a different order"))
    }

    /// Training and evaluation word a class mismatch alike: the same fact, the data named as the
    /// command saw it, then the remedy for that command.
    func testClassMismatchReadsAlikeInTrainingAndEvaluation() throws {
        let h = try ScriptHarness()
        try h.installRun(epochs: 1)
        try h.lines("m3 = resnet 20 classes=3 channels=1")
        let training = h.error("train m3 d epochs=1")
        XCTAssertTrue(training.contains("the model has 3 outputs but the dataset has 4 classes (class0, class1, class2, class3): run `reset_head m classes=d` first"), training)
        let evaluation = h.error("evaluate m3 d.test")
        XCTAssertTrue(evaluation.contains("the model has 3 outputs but test split of quadrants has 4 classes (class0, class1, class2, class3): "
                                          + "give the model these classes with `reset_head m classes=d`, then train it"), evaluation)
    }

    func testConfusedPairsAreOffDiagonalAndMostFrequentFirst() throws {
        let h = try ScriptHarness()
        try h.installRun(epochs: 1, learningRate: 0.001)   // barely trained: plenty of confusion
        try h.lines("e = evaluate m d")
        guard case .object(let object)? = h.value("e"), let e = object as? EvaluationValue else { return XCTFail("no evaluation") }
        let expected = e.result.confusedPairs(limit: 3)
        XCTAssertFalse(expected.isEmpty, "an untrained model makes mistakes")
        try h.lines("c = confused e n=3")
        guard case .table(let table)? = h.value("c") else { return XCTFail("confused returns a table") }
        XCTAssertEqual(table.columns, ["true", "predicted", "count", "share_of_true"])
        XCTAssertEqual(table.rows.count, expected.count)
        let counts = table.rows.map { row -> Double in if case .number(let n) = row[2] { n } else { -1 } }
        XCTAssertEqual(counts, expected.map { Double($0.count) })
        XCTAssertEqual(counts, counts.sorted(by: >))
        for row in table.rows { XCTAssertNotEqual(row[0].display, row[1].display, "pairs are off the diagonal") }
        XCTAssertTrue(h.error("confused e n=0").contains("'n'"))
    }

    func testMistakesWritesAPNGAndListsTheWorstErrors() throws {
        let h = try ScriptHarness()
        try h.installRun(epochs: 1, learningRate: 0.001)
        let out = try h.lines("f = mistakes m d n=6 to=\"\(h.path("figs/mistakes.png"))\"")
        XCTAssertTrue(out.contains { $0.contains("worst mistakes") || $0.contains("no mistakes") }, out.joined(separator: "\n"))
        XCTAssertTrue(out.contains { $0.contains("true class") && $0.contains("predicted") }, out.joined(separator: "\n"))
        XCTAssertEqual(out.last, "figure: \(h.path("figs/mistakes.png"))")
        let (w, hgt) = try pngSize(h.path("figs/mistakes.png"))
        XCTAssertEqual(w, 960); XCTAssertGreaterThan(hgt, 100)
        XCTAssertEqual(try h.lines("print f.path")[0], h.path("figs/mistakes.png"))
        // Without to=, the figure goes into the work folder.
        let again = try h.lines("mistakes m d.test n=4")
        let path = try XCTUnwrap(again.first { $0.hasPrefix("figure: ") }).dropFirst(8)
        XCTAssertTrue(path.hasPrefix(h.workdir.path), String(path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: String(path)))
        XCTAssertTrue(h.error("mistakes m d to=\"x.jpg\"").contains("'to'"))
        h.keepOutputs("mistakes")
    }

    func testDiagnosePrintsVerdictEvidenceAndRemedies() throws {
        let h = try ScriptHarness()
        let run = try h.installRun()
        let out = try h.lines("g = diagnose run")
        let expected = diagnose(run.training.history)
        XCTAssertEqual(out.first, "verdict: \(expected.verdict.rawValue)")
        XCTAssertTrue(out.contains("evidence:") && out.contains("what to try:"), out.joined(separator: "\n"))
        XCTAssertEqual(out.filter { $0.hasPrefix("  - ") }.count, expected.evidence.count + expected.remedies.count)
        XCTAssertEqual(try h.lines("print g.verdict")[0], expected.verdict.rawValue)
    }

    func testPlotDrawsEvaluationsAndNamesWhatCannotBePlotted() throws {
        let h = try ScriptHarness()
        try h.installRun()
        try h.lines("e = evaluate m d.test")
        let out = try h.lines("plot e")
        let path = String(try XCTUnwrap(out.first { $0.hasPrefix("figure: ") }).dropFirst(8))
        XCTAssertTrue(path.hasSuffix("evaluation-resnet20-test-split-of-quadrants.png"), path)
        XCTAssertGreaterThan(try pngSize(path).0, 500)
        try h.lines("plot e what=normalized to=\"\(h.path("norm.png"))\"")
        try h.lines("plot e what=confidence to=\"\(h.path("conf.png"))\"")
        XCTAssertTrue(FileManager.default.fileExists(atPath: h.path("norm.png")))
        XCTAssertTrue(FileManager.default.fileExists(atPath: h.path("conf.png")))
        try h.lines("plot e what=mistakes to=\"\(h.path("worst.png"))\"")
        XCTAssertGreaterThan(try pngSize(h.path("worst.png")).1, 100)
        XCTAssertEqual(try h.lines("export e \"\(h.path("e.csv"))\""), ["exported 4 rows to \(h.path("e.csv"))"])
        XCTAssertTrue(try String(contentsOfFile: h.path("e.csv"), encoding: .utf8).hasPrefix("class,precision,recall,f1,support\n"))
        // The trained model gets every training image right: the grid shows its least confident right answers.
        let train = try h.lines("mistakes m d.train n=4 to=\"\(h.path("train.png"))\"")
        XCTAssertEqual(train.first, "no mistakes; least confident right answers:", train.joined(separator: "\n"))
        XCTAssertEqual(train.filter { $0.hasPrefix("  ") }.count, 4)
        let what = h.error("plot e what=histogram")
        XCTAssertTrue(what.contains("confusion, normalized, confidence, mistakes"), what)
        let kind = h.error("plot 3")
        XCTAssertTrue(kind.contains("a number cannot be plotted"), kind)
        // Byte-identical on replay.
        try h.lines("plot e to=\"\(h.path("again.png"))\"")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), try Data(contentsOf: URL(fileURLWithPath: h.path("again.png"))))
        h.keepOutputs("plot-evaluation")
    }

    func testCompareRanksRunsByBestDevLossAndShowsWhatDiffers() throws {
        let h = try ScriptHarness()
        let a = try h.installRun(variable: "run1", name: "1", epochs: 6, learningRate: 0.05)
        let b = try h.installRun(variable: "run2", name: "run-2", epochs: 6, learningRate: 0.01)
        let out = try h.lines("c = compare run1 run2 to=\"\(h.path("cmp.png"))\"")
        XCTAssertEqual(out, ["figure: \(h.path("cmp.png"))"])
        guard case .table(let table)? = h.value("c") else { return XCTFail("compare returns a table") }
        XCTAssertEqual(table.columns, ["run", "lr", "epochs_run", "best_epoch", "best_dev_loss", "dev_accuracy"])
        let best = [a, b].min { $0.training.bestLoss! < $1.training.bestLoss! }!
        XCTAssertEqual(table.rows[0][0].display, best === a ? "run 1" : "run-2", "runs are labelled 'run NAME' unless the name says run")
        XCTAssertGreaterThan(try pngSize(h.path("cmp.png")).0, 500)
        XCTAssertTrue(h.error("compare run1").contains("at least two runs"))
        h.keepOutputs("compare")
        XCTAssertTrue(h.error("compare run1 m").contains("run"))
    }

    func testReportOfARunIsSelfContainedWithAMarkdownTwin() throws {
        let h = try ScriptHarness()
        let run = try h.installRun()
        var augmentation = AugmentationSettings()
        augmentation.flipH = true; augmentation.rotate = 10
        run.data.dataset.augmentation = augmentation
        let html = h.path("reports/run1.html")
        let out = try h.lines("r = report run to=\"\(html)\"")
        XCTAssertEqual(out.first, "report: \(html)")
        XCTAssertTrue(out[1].hasPrefix("markdown: \(h.path("reports/run1.md"))"), out[1])
        let text = try String(contentsOfFile: html, encoding: .utf8)
        for section in ["Data", "Split", "Augmentation", "Model and hyperparameters", "Training curves", "Final metrics", "Confusion matrix", "Worst mistakes", "Diagnosis"] {
            XCTAssertTrue(text.contains(section), "no \(section) section")
        }
        XCTAssertTrue(text.contains("augment d flip_h rotate=10 originals=0.2"), "the augmentation as a replayable line")
        XCTAssertFalse(text.contains("http://") || text.contains("https://") || text.contains("url("), "no external resources")
        let sources = text.components(separatedBy: "src=\"").dropFirst()
        XCTAssertGreaterThanOrEqual(sources.count, 5)
        XCTAssertTrue(sources.allSatisfy { $0.hasPrefix("data:image/png;base64,") })
        let markdown = try String(contentsOfFile: h.path("reports/run1.md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("# Training run 1"))
        let pngs = try FileManager.default.contentsOfDirectory(atPath: h.path("reports")).filter { $0.hasSuffix(".png") }
        XCTAssertEqual(pngs.count, sources.count, "one PNG beside the Markdown per figure")
        for png in pngs { XCTAssertTrue(markdown.contains("(\(png))"), "\(png) not linked") }
        guard case .object(let object)? = h.value("r"), let value = object as? ReportValue else { return XCTFail("report returns a report") }
        XCTAssertEqual(value.htmlPath, html)
        h.keepOutputs("report-run")
    }

    func testReportOfAnEvaluationAndErrors() throws {
        let h = try ScriptHarness()
        try h.installRun()
        try h.lines("e = evaluate m d.val")
        let out = try h.lines("report e")
        XCTAssertTrue(out[0].hasPrefix("report: \(h.workdir.path)"), out[0])
        XCTAssertTrue(out[0].hasSuffix(".html"))
        let text = try String(contentsOfFile: String(out[0].dropFirst(8)), encoding: .utf8)
        XCTAssertTrue(text.contains("accuracy (primary metric)"))
        h.keepOutputs("report-evaluation")
        XCTAssertTrue(h.error("report 3").contains("a number has no report"))
        // A run whose data has no test split is measured on validation, with a warning.
        guard case .object(let object)? = h.value("run"), let run = object as? RunValue else { return XCTFail("no run") }
        let fractions = try SplitFractions.resolve(train: 0.7, val: 0.3, test: 0, hasPresetTest: false)
        let noTest = RunValue(run: run.training.run, model: run.model, data: DatasetValue(try Dataset.load(run.data.dataset.path).splitting(fractions, seed: 0)), name: "2")
        h.session.variables["run2"] = .object(noTest)
        try h.lines("report run2 to=\"\(h.path("r2.html"))\"")
        let r2 = try String(contentsOfFile: h.path("r2.html"), encoding: .utf8)
        XCTAssertTrue(r2.contains("val split of quadrants") && r2.contains("There is no test split"))
        XCTAssertTrue(h.error("report e to=\"x.pdf\"").contains("'to'"))
    }
}

/// Evaluation on a small Fashion-MNIST subset: ten classes with long names, a preset test split.
final class FashionEvaluationTests: XCTestCase {
    func testTenClassConfusionMatrixAndReport() throws {
        let folder = "/usr/share/datasets/fashion-mnist"
        guard FileManager.default.fileExists(atPath: folder) else { throw XCTSkip("Fashion-MNIST is not installed at \(folder)") }
        let h = try ScriptHarness()
        var options = DatasetOptions()
        options.limit = 400
        let dataset = try Dataset.load(folder, options: options)
        var config = try ResNetConfig.resnet(depth: 20, classes: 10, inputChannels: 1)
        config.stages = [1, 1, 1]
        let metadata = ModelMetadata(architecture: config, classNames: dataset.classes, inputWidth: 28, inputHeight: 28,
                                     normalization: .init(kind: .dataset, mean: [0.286], std: [0.353]), id: "fashion")
        let model = ModelValue(model: ResNet(config, seed: 2), metadata: metadata)
        var training = TrainingOptions()
        training.epochs = 3; training.learningRate = 0.1; training.batchSize = 32
        let preprocessing = Preprocessing(metadata)
        let run = try TrainingRun(model: model.model, train: DatasetBatchSource(dataset: dataset.subset(.train)!, preprocessing: preprocessing),
                                  dev: nil, options: training)
        try run.run()
        h.session.variables["m"] = .object(model)
        h.session.variables["d"] = .object(DatasetValue(dataset))
        h.session.variables["run"] = .object(RunValue(run: run, model: model, data: DatasetValue(dataset), name: "fashion"))
        let out = try h.lines("e = evaluate m d.test")
        XCTAssertTrue(out.contains { $0.hasPrefix("Ankle boot") || $0.contains("Ankle boot") }, out.joined(separator: "\n"))
        try h.lines("plot e to=\"\(h.path("fashion-confusion.png"))\"")
        try h.lines("plot e what=normalized to=\"\(h.path("fashion-normalized.png"))\"")
        XCTAssertEqual(try pngSize(h.path("fashion-confusion.png")).1, 610)
        // A run without a validation split: the report evaluates on the preset test split.
        let report = try h.lines("report run to=\"\(h.path("fashion/report.html"))\"")
        XCTAssertEqual(report.first, "report: \(h.path("fashion/report.html"))")
        let html = try String(contentsOfFile: h.path("fashion/report.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("Final metrics on the"), "the report has test metrics")
        XCTAssertTrue(html.contains("test split of fashion-mnist"))
        h.keepOutputs("fashion")
    }
}
