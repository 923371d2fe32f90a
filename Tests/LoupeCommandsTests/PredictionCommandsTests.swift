import Foundation
import XCTest
import LoupeLang
import LoupeCommands
import Workflow
import Imaging

final class PredictionCommandsTests: XCTestCase {
    /// An unlabelled folder: the quadrant images flattened into one folder (with a sub-folder), plus a corrupt file.
    func makeUnlabelled(_ h: ScriptHarness) throws -> String {
        let labelled = try h.makeQuadrantFolder(classes: 4, perClass: 3)
        let folder = h.path("incoming")
        try FileManager.default.createDirectory(atPath: folder + "/more", withIntermediateDirectories: true)
        for k in 0..<4 {
            for i in 0..<3 {
                let target = k < 2 ? "\(folder)/q\(k)_\(i).png" : "\(folder)/more/q\(k)_\(i).png"
                try FileManager.default.copyItem(atPath: "\(labelled)/class\(k)/img\(i).png", toPath: target)
            }
        }
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: "\(folder)/broken.png"))
        return folder
    }

    func testPredictSkipsUnreadableFilesAndLogsEveryImage() throws {
        let h = try ScriptHarness()
        try h.installRun()
        let folder = try makeUnlabelled(h)
        // Files whose names say they are not images are ignored and counted, not called unreadable.
        try Data("notes".utf8).write(to: URL(fileURLWithPath: "\(folder)/README.txt"))
        try Data("a,b".utf8).write(to: URL(fileURLWithPath: "\(folder)/more/labels.csv"))
        let out = try h.lines("p = predict m \"\(folder)\" top=2 to=\"\(h.path("p.csv"))\"").joined(separator: "\n")
        XCTAssertTrue(out.contains("predictions: 12 images"), out)
        XCTAssertTrue(out.contains("skipped 1 unreadable file:"), out)
        XCTAssertTrue(out.contains("broken.png"), out)
        XCTAssertTrue(out.contains("2 files that are not an image ignored"), out)
        XCTAssertTrue(out.contains("ignored 2 files that are not an image (by the name's extension): \(folder)/README.txt, \(folder)/more/labels.csv"), out)
        XCTAssertFalse(out.contains("README.txt: "), "not listed as an unreadable image: \(out)")
        XCTAssertEqual(try h.lines("print p.ignored")[0], "[\"\(folder)/README.txt\", \"\(folder)/more/labels.csv\"]")
        XCTAssertTrue(out.contains("logged 12 predictions to \(h.path("predictions.jsonl"))"), out)
        XCTAssertEqual(try h.lines("print p.count")[0], "12")
        XCTAssertEqual(try h.lines("print p.classes")[0], "[\"class0\", \"class1\", \"class2\", \"class3\"]")
        let csv = try String(contentsOfFile: h.path("p.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.first, "path,label,confidence,label_2,confidence_2")
        XCTAssertEqual(csv.count, 13)
        // Full precision in the file: each confidence reads back as the very value predicted, and
        // the printed preview shows the same paths as the table.
        guard case .object(let object)? = h.value("p"), let p = object as? PredictionsValue else { return XCTFail("no predictions") }
        for (line, prediction) in zip(csv.dropFirst(), p.predictions) {
            let fields = line.split(separator: ",")
            XCTAssertEqual(String(fields[0]), prediction.path)
            XCTAssertEqual(Double(fields[2]), prediction.confidence)
        }
        XCTAssertTrue(out.contains("\n" + p.predictions[0].path + " "), "the preview's path column is the table's: \(out)")
        // The log: one JSON line per image with the model's id and version.
        let lines = try String(contentsOfFile: h.path("predictions.jsonl"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 12)
        for line in lines {
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            XCTAssertEqual(object["model"] as? String, "quadrant-model")
            XCTAssertEqual(object["version"] as? Int, 1)
            XCTAssertNotNil(object["time"] as? String)
            XCTAssertTrue((object["file"] as? String)?.hasPrefix(folder) ?? false)
            XCTAssertTrue(["class0", "class1", "class2", "class3"].contains(object["label"] as? String ?? ""))
            let c = try XCTUnwrap(object["confidence"] as? Double)
            XCTAssertTrue(c > 0 && c <= 1)
        }
        // A second prediction appends.
        try h.lines("p2 = predict m \"\(folder)\"")
        XCTAssertEqual(try String(contentsOfFile: h.path("predictions.jsonl"), encoding: .utf8).split(separator: "\n").count, 24)
        h.keepOutputs("predict")
    }

    /// When only the log cannot be written, the predictions are kept and shown, and a warning
    /// says what was not logged (they used to be thrown away with the error).
    func testPredictKeepsItsTableWhenTheLogCannotBeWritten() throws {
        let h = try ScriptHarness()
        try h.installRun(epochs: 1)
        let folder = try makeUnlabelled(h)
        let blocker = h.path("a-file")
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        let out = try h.lines("workdir \"\(blocker)/logs\"\np = predict m \"\(folder)\"").joined(separator: "\n")
        XCTAssertTrue(out.contains("predictions: 12 images"), out)
        XCTAssertTrue(out.contains("12 predictions were made but not logged"), out)
        XCTAssertTrue(out.contains("\(blocker) is a file, and a folder is needed there"), out)
        XCTAssertFalse(out.contains("logged 12 predictions to"), out)
        XCTAssertEqual(try h.lines("print p.count")[0], "12")
    }

    func testPredictRejectsAMissingFolderAndBadTop() throws {
        let h = try ScriptHarness()
        try h.installRun(epochs: 1)
        XCTAssertTrue(h.error("p = predict m \"\(h.path("nowhere"))\"").contains("'folder'"))
        XCTAssertTrue(h.error("p = predict m \"\(h.workdir.path)\" top=0").contains("'top'"))
        XCTAssertNil(h.value("p"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: h.path("predictions.jsonl")), "nothing logged for a failed command")
    }

    func testFilterExportAndCopy() throws {
        let h = try ScriptHarness()
        try h.installRun()
        let folder = try makeUnlabelled(h)
        try h.lines("p = predict m \"\(folder)\"")
        guard case .object(let object)? = h.value("p"), let p = object as? PredictionsValue else { return XCTFail("no predictions") }
        let label = p.predictions[0].label
        let shown = try h.lines("q = filter p class=\"\(label)\"").joined(separator: "\n")
        let kept = p.predictions.filter { $0.label == label }
        XCTAssertTrue(shown.hasPrefix("predictions: \(kept.count) image\(kept.count == 1 ? "" : "s") from \(folder) (class \(label))"), "filter shows its first rows as predict does: \(shown)")
        XCTAssertTrue(shown.contains("\n" + kept[0].path + " "), shown)
        XCTAssertEqual(try h.lines("print q.count")[0], "\(p.predictions.filter { $0.label == label }.count)")
        let median = p.predictions.map(\.confidence).sorted()[6]
        try h.lines("low = filter p max=\(median)")
        XCTAssertEqual(try h.lines("print low.count")[0], "\(p.predictions.filter { $0.confidence <= median }.count)")
        try h.lines("sure = filter p min=1 max=1")
        XCTAssertEqual(try h.lines("print sure.count")[0], "\(p.predictions.filter { $0.confidence == 1 }.count)")
        try h.lines("both = filter (filter p class=\"\(label)\") max=\(median)")
        XCTAssertEqual(try h.lines("print both.count")[0], "\(p.predictions.filter { $0.label == label && $0.confidence <= median }.count)")
        XCTAssertTrue(try h.lines("print both")[0].contains("(class \(label), confidence ≤"), "filters chain and say how the subset was chosen")
        XCTAssertTrue(h.error("filter p class=\"class9\"").contains("'class'"))
        XCTAssertTrue(h.error("filter p min=0.9 max=0.1").contains("'max'"))
        XCTAssertTrue(h.error("filter p min=2").contains("'min'"))
        // export: the generic command writes the table.
        XCTAssertEqual(try h.lines("export q \"\(h.path("q.csv"))\""), ["exported \(p.predictions.filter { $0.label == label }.count) rows to \(h.path("q.csv"))"].map { $0.replacingOccurrences(of: " 1 rows", with: " 1 row") })
        XCTAssertTrue(try String(contentsOfFile: h.path("q.csv"), encoding: .utf8).hasPrefix("path,label,confidence,label_2"))
        // copy: per-class folders, never overwriting.
        let dir = h.path("to-label")
        let first = try h.lines("copy p \"\(dir)\"")
        XCTAssertTrue(first[0].hasPrefix("copied 12 images into \(dir): "), first[0])
        let second = try h.lines("copy p \"\(dir)\"")
        XCTAssertTrue(second.contains("12 kept a numbered name (-1, -2, …) because a file of the same name was already there"), second.joined(separator: "\n"))
        var files: [String] = []
        for c in p.classes where FileManager.default.fileExists(atPath: "\(dir)/\(c)") {
            files += try FileManager.default.contentsOfDirectory(atPath: "\(dir)/\(c)").map { "\(c)/\($0)" }
        }
        XCTAssertEqual(files.count, 24)
        XCTAssertEqual(files.filter { $0.hasSuffix("-1.png") }.count, 12)
        let onePrediction = p.predictions[0]
        let copied = "\(dir)/\(onePrediction.label)/\((onePrediction.path as NSString).lastPathComponent)"
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: copied)), try Data(contentsOf: URL(fileURLWithPath: onePrediction.path)))
        h.keepOutputs("copy")
    }

    func testPlotPredictionsDrawsAConfidenceHistogram() throws {
        let h = try ScriptHarness()
        try h.installRun()
        let folder = try makeUnlabelled(h)
        try h.lines("p = predict m \"\(folder)\"")
        let out = try h.lines("plot p to=\"\(h.path("conf.png"))\"")
        XCTAssertEqual(out.first, "figure: \(h.path("conf.png"))")
        XCTAssertEqual(try pngSize(h.path("conf.png")).0, 960)
        try h.lines("plot p what=classes to=\"\(h.path("classes.png"))\"")
        XCTAssertTrue(FileManager.default.fileExists(atPath: h.path("classes.png")))
        XCTAssertTrue(h.error("plot p what=confusion").contains("confidence, classes"))
        h.keepOutputs("predictions")
    }

    func testUsageSummarisesTheLogByClassModelConfidenceAndDay() throws {
        let h = try ScriptHarness()
        let log = h.path("log.jsonl")
        let entries = [
            PredictionLogEntry(time: "2026-11-20T09:00:00Z", model: "a", version: 1, file: "x/1.png", label: "cat", confidence: 0.95),
            PredictionLogEntry(time: "2026-11-20T10:00:00Z", model: "a", version: 1, file: "x/2.png", label: "dog", confidence: 0.40),
            PredictionLogEntry(time: "2026-11-21T09:00:00Z", model: "a", version: 2, file: "x/3.png", label: "cat", confidence: 0.75),
            PredictionLogEntry(time: "2026-11-22T09:00:00Z", model: "b", version: 1, file: "x/\"4\".png", label: "cat", confidence: 0.55),
        ]
        try PredictionLog.append(entries, to: log)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log)); try handle.seekToEnd(); try handle.write(contentsOf: Data("garbage\n".utf8)); try handle.close()
        XCTAssertEqual(try PredictionLog.read(log).entries, entries, "the log reads back what was written")

        let byClass = try h.lines("usage \"\(log)\"")
        XCTAssertTrue(byClass[0].contains("skipped 1 line") && byClass[0].contains("line 5"), byClass[0])
        XCTAssertEqual(byClass[1], "4 predictions in \(log); none verified yet (verify p \"DIR\" records what a person decided)")
        guard case .object(let uo)? = h.session.lastResult, let t = (uo as? UsageValue)?.usageTable else { return XCTFail("usage returns a usage value") }
        XCTAssertEqual(t.columns, ["class", "predictions", "share", "mean_confidence", "verified", "accuracy", "accuracy_low", "accuracy_high", "first", "last"])
        XCTAssertEqual(t.rows.map { $0[0].display }, ["cat", "dog"])
        XCTAssertEqual(t.rows.map { $0[1].display }, ["3", "1"])
        XCTAssertEqual(t.rows[0][2].display, "0.75")
        XCTAssertEqual(t.rows[0][3].display, "0.75")

        try h.lines("u = usage \"\(log)\" by=model")
        guard case .object(let om)? = h.value("u"), let m = (om as? UsageValue)?.usageTable else { return XCTFail() }
        XCTAssertEqual(m.columns.prefix(3), ["model", "version", "predictions"])
        XCTAssertEqual(m.rows.map { "\($0[0].display) v\($0[1].display): \($0[2].display)" }, ["a v1: 2", "a v2: 1", "b v1: 1"])

        try h.lines("u = usage \"\(log)\" by=confidence")
        guard case .object(let oc)? = h.value("u"), let c = (oc as? UsageValue)?.usageTable else { return XCTFail() }
        XCTAssertEqual(c.rows.map { $0[0].display }, ["under 50%", "50-70%", "70-90%", "90% and over"])
        XCTAssertEqual(c.rows.map { $0[1].display }, ["1", "1", "1", "1"])

        try h.lines("u = usage \"\(log)\" by=day")
        guard case .object(let od)? = h.value("u"), let d = (od as? UsageValue)?.usageTable else { return XCTFail() }
        XCTAssertEqual(d.rows.map { $0[0].display }, ["2026-11-20", "2026-11-21", "2026-11-22"])
        XCTAssertEqual(d.rows.map { $0[1].display }, ["2", "1", "1"])

        XCTAssertTrue(h.error("usage \"\(h.path("none.jsonl"))\"").contains("'log'"))
        XCTAssertTrue(h.error("usage \"\(log)\" by=month").contains("class, model, confidence, day, week"))
    }
}
