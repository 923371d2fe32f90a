import Foundation
import XCTest
import LoupeLang
import LoupeCommands
import Datasets
import Workflow
import Imaging

/// The data iteration loop: export, verify, usage with accuracy, add, iterations in review, runs and compare.
final class DataIterationTests: XCTestCase {
    private let fm = FileManager.default

    private func files(below folder: String) -> [String] {
        (fm.enumerator(atPath: folder)?.allObjects as? [String] ?? []).filter { !$0.hasPrefix(".") && $0.hasSuffix(".png") }.sorted()
    }

    private func loadSplitQuadrants(_ h: ScriptHarness, perClass: Int = 12) throws -> String {
        let folder = try h.makeQuadrantFolder(classes: 4, perClass: perClass)
        try h.lines("d = dataset \"\(folder)\"\nsplit d train=0.5 val=0.25 test=0.25")
        return folder
    }

    // MARK: export

    func testExportWritesADatasetSplitAsPNGsPerClassOrFlat() throws {
        let h = try ScriptHarness()
        let source = try loadSplitQuadrants(h)
        let out = try h.lines("export d.test \"\(h.path("test"))\"").joined(separator: "\n")
        XCTAssertTrue(out.contains("exported 12 images of the test split of quadrants to \(h.path("test")) as PNG, one folder per class (class0 3, class1 3, class2 3, class3 3)"), out)
        let perClass = files(below: h.path("test"))
        XCTAssertEqual(perClass.count, 12)
        XCTAssertEqual(Set(perClass.map { String($0.split(separator: "/")[0]) }), ["class0", "class1", "class2", "class3"])
        // Every written file holds exactly the pixels of the source image of the same name and class.
        for f in perClass {
            let written = try decodeImage(path: h.path("test/" + f))
            let original = try decodeImage(path: source + "/" + f)
            XCTAssertEqual(written.pixels, original.pixels, f)
        }

        let flat = try h.lines("export d \"\(h.path("flat"))\" n=8 unlabelled").joined(separator: "\n")
        XCTAssertTrue(flat.contains("exported 8 images of the dataset quadrants"), flat)
        XCTAssertTrue(flat.contains("in one folder without labels"), flat)
        let names = files(below: h.path("flat"))
        XCTAssertEqual(names.count, 8)
        XCTAssertTrue(names.allSatisfy { !$0.contains("/") }, "flat: no class folders")
        // Stratified: two of each class.
        try h.lines("export d \"\(h.path("labelled8"))\" n=8")
        let labelled = files(below: h.path("labelled8"))
        XCTAssertEqual(Dictionary(grouping: labelled, by: { $0.split(separator: "/")[0] }).mapValues(\.count), ["class0": 2, "class1": 2, "class2": 2, "class3": 2])
        // The same n and seed choose the same images: the labelled and the unlabelled export hold the
        // same pictures (flat names of the same file name in two classes get -1, -2, …).
        let digests = { (folder: String, names: [String]) in Set(try names.map { contentDigest(try decodeImage(path: folder + "/" + $0)) }) }
        XCTAssertEqual(try digests(h.path("labelled8"), labelled), try digests(h.path("flat"), names))
        XCTAssertTrue(names.contains { $0.hasSuffix("-1.png") } || Set(names).count == 8)

        XCTAssertTrue(h.error("export d \"\(h.path("x"))\" n=0").contains("at least 1 image"))
        XCTAssertTrue(h.error("export d.test \"\(h.path("m.onnx"))\"").contains("only a model exports to ONNX"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: h.path("afile")))
        XCTAssertTrue(h.error("export d \"\(h.path("afile"))\"").contains("is a file"))
        XCTAssertTrue(h.error("export d.counts \"\(h.path("c.csv"))\" n=3").contains("'n'"), "n= belongs to a dataset export")
        // A dataset to .csv is still its table (class, images).
        try h.lines("export d \"\(h.path("counts.csv"))\"")
        XCTAssertTrue(try String(contentsOfFile: h.path("counts.csv"), encoding: .utf8).hasPrefix("class,images"))
    }

    // MARK: verify

    /// Predicts on a flat folder of the quadrant images, copies for labelling, and re-files every
    /// image under its true class with a new name (as a person would), some into unknown/ and discard/.
    private func predictAndRefile(_ h: ScriptHarness) throws -> (truth: [String: String], dir: String) {
        _ = try h.installRun(epochs: 1)
        let source = h.path("quadrants")
        let incoming = h.path("incoming")
        try fm.createDirectory(atPath: incoming, withIntermediateDirectories: true)
        for k in 0..<4 { for i in 0..<12 { try fm.copyItem(atPath: "\(source)/class\(k)/img\(i).png", toPath: "\(incoming)/q\(k)_\(i).png") } }
        try h.lines("p = predict m \"\(incoming)\"\ncopy p \"\(h.path("label"))\"")
        var truth: [String: String] = [:]
        let dir = h.path("label")
        for f in files(below: dir) {
            let name = String(f.split(separator: "/")[1])
            let k = name.dropFirst(1).prefix(1)
            let target: String
            switch name {
            case "q0_0.png": target = "unknown"
            case "q1_0.png": target = "discard"
            default: target = "class\(k)"
            }
            truth[name] = target
            try fm.createDirectory(atPath: "\(dir)/\(target)", withIntermediateDirectories: true)
            if "\(dir)/\(f)" != "\(dir)/\(target)/renamed-\(name)" {
                try fm.moveItem(atPath: "\(dir)/\(f)", toPath: "\(dir)/\(target)/renamed-\(name)")
            }
        }
        return (truth, dir)
    }

    func testVerifyMatchesRenamedAndMovedFilesAndRecordsVerdicts() throws {
        let h = try ScriptHarness()
        let (truth, dir) = try predictAndRefile(h)
        // A picture nobody predicted, a file that is no image, and an image left directly in the folder.
        var stranger = Image(width: 28, height: 28, channels: 1)
        for i in 0..<stranger.pixels.count { stranger.pixels[i] = UInt8(i % 251) }
        try stranger.writePNG(to: "\(dir)/class2/stranger.png")
        try Data("notes about these".utf8).write(to: URL(fileURLWithPath: "\(dir)/class3/notes.txt"))
        try fm.copyItem(atPath: h.path("quadrants/class3/img5.png"), toPath: "\(dir)/loose.png")

        let out = try h.lines("v = verify p \"\(dir)\"").joined(separator: "\n")
        guard case .object(let o)? = h.value("v"), let v = o as? VerificationValue else { return XCTFail("verify returns a verification") }
        // Every predicted image was found again, whatever its new name and folder.
        XCTAssertEqual(v.outcome.verdicts.count, 48, out)
        let predicted = Dictionary(uniqueKeysWithValues: try XCTUnwrap(h.value("p").flatMap { v -> PredictionsValue? in
            if case .object(let o) = v { return o as? PredictionsValue } else { return nil } }).predictions.map { (($0.path as NSString).lastPathComponent, $0.label) })
        var expected: [Verdict: Int] = [:]
        for (name, t) in truth {
            let verdict: Verdict = t == "unknown" ? .unknown : t == "discard" ? .discarded : (t == predicted[name] ? .confirmed : .corrected)
            expected[verdict, default: 0] += 1
        }
        for verdict in Verdict.allCases { XCTAssertEqual(v.outcome.count(verdict), expected[verdict] ?? 0, "\(verdict): \(out)") }
        XCTAssertEqual(v.outcome.count(.unknown), 1)
        XCTAssertEqual(v.outcome.count(.discarded), 1)
        XCTAssertEqual(v.outcome.unmatched, ["\(dir)/class2/stranger.png"])
        XCTAssertEqual(v.outcome.unsorted, ["\(dir)/loose.png"])
        XCTAssertEqual(v.outcome.unreadable.map(\.path), [], "a text file is not an unreadable image")
        XCTAssertEqual(v.outcome.ignored, ["\(dir)/class3/notes.txt"])
        XCTAssertTrue(out.contains("stranger.png"), out)
        XCTAssertTrue(out.contains("notes.txt"), out)
        XCTAssertTrue(out.contains("recorded 48 verdicts in \(h.path("predictions.jsonl"))"), out)
        XCTAssertEqual(try h.lines("print v.confirmed + v.corrected")[0], "\(46)")
        if v.outcome.count(.corrected) > 0 {
            XCTAssertTrue(out.contains("corrected (predicted → true):"), out)
            guard case .table(let pairs)? = h.session.variables["v"].flatMap({ _ in v.attribute(named: "pairs") }) else { return XCTFail() }
            XCTAssertEqual(pairs.rows.map { Int($0[2].display)! }.reduce(0, +), v.outcome.count(.corrected))
        }

        // One log line per decided image: the verdict, the truth, who, when, and the prediction it judges.
        let log = try PredictionLog.contents(h.path("predictions.jsonl"))
        XCTAssertEqual(log.predictions.count, 48)
        XCTAssertEqual(log.verdicts.count, 48)
        XCTAssertTrue(log.badLines.isEmpty)
        for verdict in log.verdicts {
            XCTAssertEqual(verdict.prediction.model, "quadrant-model")
            XCTAssertTrue(verdict.file.hasPrefix(dir))
            XCTAssertTrue(log.predictions.contains(verdict.prediction), "a verdict nests the logged prediction it judges")
            XCTAssertFalse(verdict.by.isEmpty)
            let name = String((verdict.file as NSString).lastPathComponent.dropFirst("renamed-".count))
            XCTAssertEqual(verdict.truth, truth[name].flatMap { $0.hasPrefix("class") ? $0 : nil })
        }

        // Bad input: a folder that is not there, predictions that were never logged, a folder that decides nothing.
        XCTAssertTrue(h.error("verify p \"\(h.path("nowhere"))\"").contains("is not a folder"))
        try fm.createDirectory(atPath: h.path("empty/class0"), withIntermediateDirectories: true)
        try stranger.writePNG(to: h.path("empty/class0/s.png"))
        let none = h.error("verify p \"\(h.path("empty"))\"")
        XCTAssertTrue(none.contains("no image") && none.contains("1 image that match no prediction"), none)
        XCTAssertTrue(h.error("verify 3 \"\(dir)\"").contains("'p'"))
        h.keepOutputs("verify")
    }

    func testVerifyReportsAFolderThatIsNoClassAndRecordsIt() throws {
        let h = try ScriptHarness()
        let (_, dir) = try predictAndRefile(h)
        try fm.moveItem(atPath: "\(dir)/class2", toPath: "\(dir)/clas2")
        let out = try h.lines("v = verify p \"\(dir)\"").joined(separator: "\n")
        XCTAssertTrue(out.contains("warning: 'clas2' is not one of the model's classes: 12 images recorded as corrected to it (did you mean 'class2'?)"), out)
        // The usage with model= lists the class the model does not know.
        let usage = try h.lines("u = usage model=m").joined(separator: "\n")
        XCTAssertTrue(usage.contains("classes that 4-class model") && usage.contains("clas2 (12)"), usage)
        XCTAssertEqual(try h.lines("print u.missing_classes")[0], "[\"clas2\"]")
    }

    // MARK: usage

    private func entry(_ time: String, version: Int, file: String, label: String, confidence: Double) -> PredictionLogEntry {
        PredictionLogEntry(time: time, model: "a", version: version, file: file, label: label, confidence: confidence, digest: "d-" + file)
    }

    private func verdict(_ p: PredictionLogEntry, truth: String?, at time: String = "2026-12-01T00:00:00Z", verdict: Verdict? = nil) -> VerdictLogEntry {
        VerdictLogEntry(time: time, verdict: verdict ?? (truth == p.label ? .confirmed : .corrected), truth: truth, file: "checked/" + p.file,
                        digest: p.digest!, by: "ana", prediction: p)
    }

    func testUsageReportsAccuracyOnVerifiedPredictionsByModelWeekAndConfidence() throws {
        let h = try ScriptHarness()
        let log = h.path("log.jsonl")
        // Version 1 in week 47, version 2 in week 48; 40 predictions each, 30 of v1 and 4 of v2 verified.
        var entries: [PredictionLogEntry] = [], verdicts: [VerdictLogEntry] = []
        for i in 0..<40 {
            let e = entry("2026-11-1\(7 + i % 3)T09:00:00Z", version: 1, file: "w47/\(i).png", label: "cat", confidence: i < 20 ? 0.95 : 0.6)
            entries.append(e)
            if i < 30 { verdicts.append(verdict(e, truth: i % 5 == 0 ? "dog" : "cat")) }   // 6 wrong of 30
        }
        for i in 0..<40 {
            let e = entry("2026-11-2\(4 + i % 2)T09:00:00Z", version: 2, file: "w48/\(i).png", label: "dog", confidence: 0.8)
            entries.append(e)
            if i < 4 { verdicts.append(verdict(e, truth: "dog")) }
        }
        // A later verdict on the same prediction replaces the earlier one; unknown and discarded do not count.
        verdicts.append(verdict(entries[0], truth: "cat", at: "2026-12-02T00:00:00Z"))   // was wrong (i=0 → dog), now right: 5 wrong of 30
        verdicts.append(verdict(entries[45], truth: nil, verdict: .unknown))
        verdicts.append(verdict(entries[46], truth: nil, verdict: .discarded))
        try PredictionLog.append(entries, to: log)
        try PredictionLog.append(verdicts, to: log)

        let out = try h.lines("u = usage \"\(log)\" by=model").joined(separator: "\n")
        XCTAssertTrue(out.contains("80 predictions in \(log); 34 verified, accuracy 85.3%"), out)
        guard case .object(let o)? = h.value("u"), let u = o as? UsageValue else { return XCTFail("usage returns a usage value") }
        let t = u.usageTable
        XCTAssertEqual(t.columns, ["model", "version", "predictions", "share", "mean_confidence", "verified", "accuracy", "accuracy_low", "accuracy_high", "first", "last"])
        XCTAssertEqual(t.rows.map { $0[1].display }, ["1", "2"])
        XCTAssertEqual(t.rows.map { $0[5].display }, ["30", "4"])
        XCTAssertEqual(t.rows[0][6].display, "0.833333", "full precision in the table (25 of 30), rounded only for display")
        XCTAssertEqual(t.rows[1][6].display, "1")
        // 4 out of 4 is not 100% for sure: the interval says how little it means, and the output says so.
        XCTAssertLessThan(Double(t.rows[1][7].display)!, 0.55)
        XCTAssertTrue(out.contains("note: under 30 verified predictions in a 2 (4)"), out)
        XCTAssertEqual(try h.lines("print u.verified, u.count")[0], "34 80")

        try h.lines("w = usage \"\(log)\" by=week")
        guard case .object(let wo)? = h.value("w"), let w = wo as? UsageValue else { return XCTFail() }
        XCTAssertEqual(w.usageTable.rows.map { $0[0].display }, ["2026-W47", "2026-W48"])
        XCTAssertEqual(w.usageTable.rows.map { $0[4].display }, ["30", "4"])

        let byConfidence = try h.lines("c = usage \"\(log)\" by=confidence").joined(separator: "\n")
        guard case .object(let co)? = h.value("c"), let c = co as? UsageValue else { return XCTFail() }
        XCTAssertEqual(c.usageTable.rows.map { $0[0].display }, ["under 50%", "50-70%", "70-90%", "90% and over"])
        XCTAssertEqual(c.usageTable.rows.map { $0[4].display }, ["0", "10", "4", "20"])
        XCTAssertTrue(byConfidence.contains("90%: 25.0% of the predictions, 85.0% right of 20 verified"), byConfidence)

        // The figures: over time per model version, and the reliability diagram (the default by confidence).
        let time = try h.lines("plot w to=\"\(h.path("time.png"))\"")
        XCTAssertEqual(time, ["figure: \(h.path("time.png"))"])
        XCTAssertGreaterThan(try pngSize(h.path("time.png")).1, 600, "accuracy above volume")
        try h.lines("plot c to=\"\(h.path("reliability.png"))\"")
        XCTAssertGreaterThan(try pngSize(h.path("reliability.png")).0, 500)
        try h.lines("plot u what=reliability to=\"\(h.path("rel2.png"))\"")
        XCTAssertTrue(h.error("plot u what=calibration").contains("time, reliability"))
        h.keepOutputs("usage-accuracy")

        // No verdict: counts only, said plainly, and no reliability diagram to draw.
        let plain = h.path("plain.jsonl")
        try PredictionLog.append(Array(entries.prefix(3)), to: plain)
        XCTAssertTrue(try h.lines("n = usage \"\(plain)\"").joined().contains("none verified yet"))
        XCTAssertTrue(h.error("plot n what=reliability").contains("no prediction in"))
    }

    func testReliabilityBinsAndWilsonIntervals() {
        let p = { (c: Double, i: Int) in PredictionLogEntry(time: "t", model: "a", version: 1, file: "\(i)", label: "x", confidence: c, digest: "\(i)") }
        let verdicts = (0..<10).map { i in
            VerdictLogEntry(time: "t", verdict: i < 7 ? .confirmed : .corrected, truth: i < 7 ? "x" : "y", file: "\(i)", digest: "\(i)", by: "a",
                            prediction: p(i < 5 ? 0.95 : 0.55, i))
        }
        let bins = reliabilityBins(verdicts)
        XCTAssertEqual(bins.count, 10)
        XCTAssertEqual(bins[9].count, 5); XCTAssertEqual(bins[9].correct, 5)
        XCTAssertEqual(bins[5].count, 5); XCTAssertEqual(bins[5].correct, 2)
        XCTAssertEqual(bins[5].meanConfidence, 0.55, accuracy: 1e-12)
        // Wilson: 3 of 3 is far from certain; 0 of n is not below 0; n = 0 has no interval.
        let three = wilsonInterval(correct: 3, of: 3)!
        XCTAssertEqual(three.upperBound, 1, accuracy: 1e-12)
        XCTAssertEqual(three.lowerBound, 0.4385, accuracy: 1e-3)
        XCTAssertEqual(wilsonInterval(correct: 0, of: 20)!.lowerBound, 0)
        XCTAssertNil(wilsonInterval(correct: 0, of: 0))
        XCTAssertEqual(isoWeek("2026-01-01T10:00:00Z"), "2026-W01")
        XCTAssertEqual(isoWeek("2027-01-01T10:00:00Z"), "2026-W53")
    }

    // MARK: add

    func testAddRefusesDuplicatesAndLeakageNamingTheFiles() throws {
        let h = try ScriptHarness()
        let source = try loadSplitQuadrants(h)
        guard case .object(let o)? = h.value("d"), let d = o as? DatasetValue else { return XCTFail() }
        let data = d.dataset
        let testIndex = data.indices(of: .test)!.first { data.samples[$0].label == 1 }!
        let trainIndex = data.indices(of: .train)!.first { data.samples[$0].label == 1 }!
        let add = h.path("add")
        try fm.createDirectory(atPath: add + "/class1", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: add + "/class3", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: add + "/unknown", withIntermediateDirectories: true)
        try fm.copyItem(atPath: data.samples[testIndex].name, toPath: add + "/class1/from-test.png")
        try fm.copyItem(atPath: data.samples[trainIndex].name, toPath: add + "/class1/from-train.png")
        var fresh = Image(width: 28, height: 28, channels: 1)
        for i in 0..<fresh.pixels.count { fresh.pixels[i] = UInt8((i * 7) % 256) }
        try fresh.writePNG(to: add + "/class3/new.png")
        try fresh.writePNG(to: add + "/class3/new-again.png")
        var other = fresh; other.pixels[0] = 255
        try other.writePNG(to: add + "/class1/other.png")
        try fresh.writePNG(to: add + "/unknown/undecided.png")
        try Data("x".utf8).write(to: URL(fileURLWithPath: add + "/class3/broken.png"))

        let before = data.indices(of: .train)!.count
        let out = try h.lines("add d \"\(add)\"").joined(separator: "\n")
        XCTAssertTrue(out.contains("added 2 images to the training split of quadrants as iteration 2 (class1 1, class3 1); the training split now holds \(before + 2) images"), out)
        XCTAssertTrue(out.contains("refused 1 image already in the validation or test split"), out)
        XCTAssertTrue(out.contains("\(add)/class1/from-test.png: already in the test split (\(data.samples[testIndex].name))"), out)
        XCTAssertTrue(out.contains("refused 2 duplicates"), out)
        XCTAssertTrue(out.contains("\(add)/class1/from-train.png: already in the training split (\(data.samples[trainIndex].name))"), out)
        // new-again.png sorts before new.png, so it is the one kept.
        XCTAssertTrue(out.contains("\(add)/class3/new.png: the same image as \(add)/class3/new-again.png in this folder"), out)
        XCTAssertTrue(out.contains("broken.png"), out)
        XCTAssertTrue(out.contains("left out 1 image in unknown/"), out)
        XCTAssertEqual(try h.lines("print d.iteration, d.train.count, d.test.count")[0], "2 \(before + 2) 12")
        XCTAssertEqual(d.dataset.iterations, [DatasetIteration(number: 2, source: add, addedPerClass: [0, 1, 0, 1], refusedDuplicates: 2, refusedLeaks: 1, trainCount: before + 2)])
        XCTAssertTrue(try h.lines("print d")[0].contains("iteration 2"))

        // Adding the same folder again adds nothing: every image is now a duplicate.
        let again = try h.lines("add d \"\(add)\"").joined(separator: "\n")
        XCTAssertTrue(again.contains("added nothing to quadrants") && again.contains("stays at iteration 2"), again)

        // review shows the iterations.
        let review = try h.lines("r = review d to=\"\(h.path("review"))\"").joined(separator: "\n")
        XCTAssertTrue(review.contains("iterations: 1 as loaded, then 1 add (now iteration 2):"), review)
        XCTAssertTrue(review.contains("class1 1, class3 1"), review)

        // Bad input: a folder named for no class (nothing added), a split, a dataset not split yet, a missing folder.
        try fm.createDirectory(atPath: h.path("typo/clas1"), withIntermediateDirectories: true)
        try other.writePNG(to: h.path("typo/clas1/x.png"))
        let typo = h.error("add d \"\(h.path("typo"))\"")
        XCTAssertTrue(typo.contains("clas1/' (1 file) is not a class of the dataset") && typo.contains("did you mean 'class1'") && typo.contains("nothing was added"), typo)
        XCTAssertTrue(h.error("add d.train \"\(add)\"").contains("add d \"DIR\""))
        try h.lines("e = dataset \"\(source)\"")
        XCTAssertTrue(h.error("add e \"\(add)\"").contains("split the dataset first"))
        XCTAssertTrue(h.error("add d \"\(h.path("nowhere"))\"").contains("is not a folder"))
        XCTAssertEqual(try h.lines("print d.iteration")[0], "2", "failed adds change nothing")
    }

    func testRunsRecordTheirDataIterationAndCompareShowsIt() throws {
        let h = try ScriptHarness()
        _ = try loadSplitQuadrants(h, perClass: 8)
        try h.lines("m = resnet 20 classes=d\nrun1 = train m d epochs=1 batch=8 checkpoint=false")
        var extra = Image(width: 28, height: 28, channels: 1)
        for i in 0..<extra.pixels.count { extra.pixels[i] = UInt8((i * 13) % 256) }
        try fm.createDirectory(atPath: h.path("more/class0"), withIntermediateDirectories: true)
        try extra.writePNG(to: h.path("more/class0/extra.png"))
        try h.lines("add d \"\(h.path("more"))\"\nrun2 = train m d epochs=1 batch=8 checkpoint=false")
        XCTAssertEqual(try h.lines("print run1.data_iteration, run2.data_iteration")[0], "1 2")
        try h.lines("c = compare run1 run2 to=\"\(h.path("c.png"))\"")
        guard case .table(let t)? = h.value("c") else { return XCTFail("compare returns a table") }
        let column = try XCTUnwrap(t.columns.firstIndex(of: "data"), "\(t.columns)")
        XCTAssertEqual(Set(t.rows.map { $0[column].display }), ["iteration 1 (16 training images)", "iteration 2 (17 training images)"])
        // The saved model remembers the iteration of each training session.
        try h.lines("save m \"\(h.path("m.loupe"))\"\nm2 = load_model \"\(h.path("m.loupe"))\"")
        guard case .object(let mo)? = h.value("m2"), let m2 = mo as? ModelValue else { return XCTFail() }
        XCTAssertEqual(m2.trainingRecords.map(\.datasetIteration), [1, 2])
    }
}
