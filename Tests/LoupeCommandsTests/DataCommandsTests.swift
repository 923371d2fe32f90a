import Foundation
import XCTest
import LoupeLang
import LoupeCommands
import Datasets
import Imaging
import Workflow

/// The Data family from scripts: dataset, review, split, show, augment, preview, crop, tile.
final class DataCommandsTests: XCTestCase {
    static let fashion = "/usr/share/datasets/fashion-mnist"

    func dataset(_ h: ScriptHarness, _ name: String = "d") throws -> Dataset {
        guard case .object(let o)? = h.value(name), let d = o as? DatasetValue else {
            XCTFail("\(name) is not a dataset"); throw CommandError.failed("no dataset")
        }
        return d.dataset
    }

    /// The lines a source printed, without the empty piece after each final newline.
    func lines(_ h: ScriptHarness, _ source: String) throws -> [String] {
        try h.run(source).filter { !$0.isEmpty }
    }

    func number(_ h: ScriptHarness, _ expression: String) throws -> Double {
        let out = try lines(h, "print \(expression)")
        return try XCTUnwrap(Double(out.joined().trimmingCharacters(in: .whitespaces)), "print \(expression) gave \(out)")
    }

    func isPNG(_ path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path) else { return false }
        return Array(data.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    }

    func requireFashion() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.fashion + "/train-images-idx3-ubyte.gz"), "Fashion-MNIST is not installed")
    }

    // MARK: dataset

    func testLoadGeneratedFolder() throws {
        let h = try ScriptHarness()
        let root = try h.makeQuadrantFolder(classes: 4, perClass: 12)
        let out = try lines(h, "d = dataset \"\(root)\"")
        XCTAssertTrue(out[0].hasPrefix("dataset: 48 images, 4 classes, 28x28, grey"), "\(out)")
        XCTAssertTrue(out.contains { $0.hasPrefix("classes: class0 (12), class1 (12)") }, "\(out)")
        XCTAssertEqual(try number(h, "d.count"), 48)
        XCTAssertEqual(try lines(h, "print d.classes"), ["[\"class0\", \"class1\", \"class2\", \"class3\"]"])
        XCTAssertEqual(try lines(h, "print d.counts"), ["[12, 12, 12, 12]"])
        XCTAssertEqual(try lines(h, "print d.train"), ["none"])
        XCTAssertEqual(try lines(h, "print d.size, d.channels"), ["28x28 1"])
    }

    func testLoadFashionMNISTWithLimit() throws {
        try requireFashion()
        let h = try ScriptHarness()
        let out = try lines(h, "d = dataset \"\(Self.fashion)\" limit=700")
        XCTAssertTrue(out[0].contains("700 images, 10 classes, 28x28, grey"), "\(out)")
        XCTAssertTrue(out[0].contains("test split of 100 from the source"), "\(out)")
        let d = try dataset(h)
        XCTAssertEqual(d.classes.first, "T-shirt/top")
        XCTAssertEqual(d.counts, [Int](repeating: 70, count: 10))
        XCTAssertEqual(try number(h, "d.test.count"), 100, "t10k keeps its share of the limit (10 000 of 70 000)")
        XCTAssertEqual(try lines(h, "print d.train"), ["none"], "no training split before split d")
    }

    func testUnreadableFileAndLeftOutClassAreListed() throws {
        let h = try ScriptHarness()
        let root = try h.makeQuadrantFolder(classes: 3, perClass: 12)
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: root + "/class1/broken.png"))
        try FileManager.default.createDirectory(atPath: root + "/rare", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: root + "/class0/img0.png", toPath: root + "/rare/only.png")
        for k in 0..<5 { try Data("junk".utf8).write(to: URL(fileURLWithPath: root + "/class2/junk\(k).txt")) }
        let out = try lines(h, "parts = dataset \"\(root)\" min_per_class=5")
        XCTAssertTrue(out.contains { $0.contains("left out 1 class with fewer than 5 images (min_per_class): rare (1)") }, "\(out)")
        // A broken .png is unreadable; the .txt files are not images at all: ignored and counted.
        XCTAssertTrue(out.contains("skipped 1 unreadable file:"), "\(out)")
        XCTAssertTrue(out.contains { $0.hasPrefix("  \(root)/class1/broken.png: ") }, "\(out)")
        XCTAssertTrue(out.contains { $0.hasPrefix("ignored 5 files that are not an image (by the name's extension): junk0.txt") }, "\(out)")
        XCTAssertEqual(try number(h, "parts.count"), 36)
    }

    func testLoadErrorsNameTheArgument() throws {
        let h = try ScriptHarness()
        let missing = h.error("d = dataset \"\(h.path("nowhere"))\"")
        XCTAssertTrue(missing.contains("no such file or folder"), missing)
        XCTAssertTrue(missing.contains("^"), "the caret points at the path: \(missing)")
        let root = try h.makeQuadrantFolder(classes: 2, perClass: 4)
        let unknown = h.error("d = dataset \"\(root)\" limt=10")
        XCTAssertTrue(unknown.contains("unknown parameter 'limt'") && unknown.contains("did you mean 'limit'"), unknown)
        let channels = h.error("d = dataset \"\(root)\" channels=2")
        XCTAssertTrue(channels.contains("'channels'") && channels.contains("1 (grey) or 3 (RGB)"), channels)
        let cls = h.error("d = dataset \"\(root)\" classes=[\"class0\", \"cat\"]")
        XCTAssertTrue(cls.contains("unknown class 'cat'"), cls)
        XCTAssertNil(h.value("d"), "a failed load leaves no variable behind")
    }

    func testLoadCSVLabelsAndFolderOfBrokenFiles() throws {
        let h = try ScriptHarness()
        let root = try h.makeQuadrantFolder(classes: 2, perClass: 5)
        var rows = ["path,label"]
        for k in 0..<2 { for i in 0..<5 { rows.append("class\(k)/img\(i).png,\(k == 0 ? "left" : "right")") } }
        rows.append("class0/gone.png,left")
        try rows.joined(separator: "\n").write(toFile: h.path("labels.csv"), atomically: true, encoding: .utf8)
        let out = try lines(h, "d = dataset \"\(root)\" labels=\"\(h.path("labels.csv"))\"")
        XCTAssertTrue(out[0].hasPrefix("dataset: 10 images, 2 classes"), "\(out)")
        XCTAssertEqual(out[1], "classes: left (5), right (5)")
        XCTAssertTrue(out.contains { $0.hasPrefix("  \(root)/class0/gone.png: ") }, "\(out)")

        let broken = h.path("broken/a")
        try FileManager.default.createDirectory(atPath: broken, withIntermediateDirectories: true)
        try Data("no".utf8).write(to: URL(fileURLWithPath: broken + "/x.png"))
        let e = h.error("b = dataset \"\(h.path("broken"))\"")
        XCTAssertTrue(e.contains("no readable images (1 file skipped, e.g. \(broken)/x.png:"), e)
    }

    // MARK: review

    func testReviewFindsPlantedDuplicateAndWritesFigures() throws {
        let h = try ScriptHarness()
        let root = try h.makeQuadrantFolder(classes: 3, perClass: 12)
        try FileManager.default.copyItem(atPath: root + "/class2/img5.png", toPath: root + "/class2/copy-of-img5.png")
        try h.run("d = dataset \"\(root)\"")
        let out = try lines(h, "r = review d")
        XCTAssertTrue(out.contains { $0.contains("duplicates: 1 exact group") }, "\(out)")
        XCTAssertTrue(out.contains { $0.contains("exact: class2/copy-of-img5.png = class2/img5.png (class2)") }, "\(out)")
        XCTAssertTrue(out.contains { $0.contains("has only") == false && $0.contains("group(s) of identical images") }, "\(out)")
        XCTAssertEqual(try lines(h, "print r.duplicates"), ["[[\"class2/copy-of-img5.png\", \"class2/img5.png\"]]"])
        guard case .object(let o)? = h.value("r"), let review = o as? ReviewValue else { return XCTFail("r is not a review") }
        XCTAssertEqual(review.figures.map(\.name), ["class counts", "montage per class", "mean image per class", "duplicates"])
        for f in review.figures {
            XCTAssertTrue(isPNG(f.path), "\(f.path) is a PNG")
            XCTAssertEqual(out.filter { $0 == "figure: \(f.path)" }.count, 1, "the path of \(f.name) is printed once")
        }
        XCTAssertTrue(review.figures[0].path.hasPrefix(h.workdir.path), "figures go to the work folder")
    }

    func testReviewFindsLeakageAcrossSplitsAndWritesToFolder() throws {
        let h = try ScriptHarness()
        let root = try h.makeQuadrantFolder(classes: 2, perClass: 40)
        for k in 0..<6 { try FileManager.default.copyItem(atPath: root + "/class0/img\(k).png", toPath: root + "/class0/dup\(k).png") }
        try h.run("d = dataset \"\(root)\"\nsplit d val=0.3 test=0.3")
        let out = try lines(h, "r = review d to=\"\(h.path("rev"))\"")
        guard case .object(let o)? = h.value("r"), let review = o as? ReviewValue else { return XCTFail("r is not a review") }
        XCTAssertEqual(review.review.exactDuplicates.count, 6)
        XCTAssertFalse(review.review.leakage.isEmpty, "with 6 copies and 60% held out some pair straddles splits: \(out)")
        XCTAssertTrue(out.contains { $0.contains("appear in more than one subset") }, "\(out)")
        XCTAssertTrue(review.figures.allSatisfy { $0.path.hasPrefix(h.path("rev") + "/") && isPNG($0.path) })
    }

    func testReviewOnFashionMNIST() throws {
        try requireFashion()
        let h = try ScriptHarness()
        try h.run("d = dataset \"\(Self.fashion)\" limit=1000")
        let out = try lines(h, "r = review d")
        XCTAssertTrue(out.contains { $0.hasPrefix("  class") && $0.contains("train") && $0.contains("test") }, "\(out)")
        XCTAssertTrue(out.contains("sizes: size all 28x28; channels grey 1000"), "\(out)")
        XCTAssertTrue(out.contains { $0.contains("fewer than ~1000 images") }, "\(out)")
    }

    // MARK: split

    func testSplitRecommendationAndRerunIsIdentical() throws {
        var splits: [DatasetSplit] = []
        for _ in 0..<2 {
            let h = try ScriptHarness(seed: 7)
            let root = try h.makeQuadrantFolder(classes: 3, perClass: 40)
            try h.run("d = dataset \"\(root)\"")
            let out = try lines(h, "split d")
            XCTAssertEqual(out[0], "recommended: train 60%, val 40%, no test split", "\(out)")
            XCTAssertTrue(out.contains { $0.contains("smallest class 40 images") }, "\(out)")
            XCTAssertTrue(out.contains("split: train 72, val 48, test 0"), "\(out)")
            XCTAssertEqual(try number(h, "d.val.count"), 48)
            splits.append(try XCTUnwrap(try dataset(h).split))
        }
        XCTAssertEqual(splits[0], splits[1], "the same seed gives the same split")
    }

    func testSplitExplicitFractionsAndOtherSeed() throws {
        let h = try ScriptHarness(seed: 1)
        let root = try h.makeQuadrantFolder(classes: 2, perClass: 50)
        try h.run("d = dataset \"\(root)\"")
        let out = try lines(h, "split d train=0.6 val=20% test=0.2")
        XCTAssertEqual(out[0], "split: train 60, val 20, test 20")
        XCTAssertTrue(out.contains { $0.hasPrefix("  class0") && $0.hasSuffix("30     10    10") || $0.contains("class0     30") }, "\(out)")
        let first = try XCTUnwrap(try dataset(h).split)
        try h.run("seed 2\nsplit d train=0.6 val=20% test=0.2")
        XCTAssertNotEqual(try dataset(h).split?.val, first.val, "another seed gives another split")
        try h.run("split d val_max=4 test_max=6")
        XCTAssertEqual(try number(h, "d.val.count"), 4)
        XCTAssertEqual(try number(h, "d.test.count"), 6)
    }

    func testSplitKeepsFashionTestSplit() throws {
        try requireFashion()
        let h = try ScriptHarness()
        try h.run("d = dataset \"\(Self.fashion)\" limit=1400")
        let out = try lines(h, "split d")
        XCTAssertTrue(out.contains { $0.contains("the dataset's own test split is kept") }, "\(out)")
        XCTAssertEqual(try number(h, "d.test.count"), 200)
        XCTAssertEqual(try number(h, "d.train.count + d.val.count"), 1200)
        let bad = h.error("split d test=0.2")
        XCTAssertTrue(bad.contains("already has a test split"), bad)
    }

    func testSplitBadFractionLeavesDatasetUnchanged() throws {
        let h = try ScriptHarness()
        let root = try h.makeQuadrantFolder(classes: 2, perClass: 20)
        try h.run("d = dataset \"\(root)\"")
        let bad = h.error("split d val=1.5")
        XCTAssertTrue(bad.contains("'val'") && bad.contains("between 0 and 1"), bad)
        let sum = h.error("split d train=0.8 val=0.3 test=0.1")
        XCTAssertTrue(sum.contains("more than 1"), sum)
        XCTAssertNil(try dataset(h).split, "a failed split changes nothing")
        let sub = h.error("split d val=0.2\nsplit d.train")
        XCTAssertTrue(sub.contains("split the whole dataset"), sub)
    }

    // MARK: show, preview

    func testShowAndPreviewWriteDeterministicPNGs() throws {
        var bytes: [[Data]] = []
        for _ in 0..<2 {
            let h = try ScriptHarness(seed: 3)
            let root = try h.makeQuadrantFolder(classes: 4, perClass: 12)
            try h.run("d = dataset \"\(root)\"\nsplit d val=0.25 test=0.25")
            let shown = try lines(h, "f = show d.train n=8")
            XCTAssertEqual(shown, ["figure: \(h.path("quadrants-train-samples.png"))"])
            XCTAssertEqual(try lines(h, "show d n=4 to=\"\(h.path("four.png"))\""), ["figure: \(h.path("four.png"))"], "a figure is named once, also as a statement of its own")
            try h.run("augment d flip_h rotate=15 brightness=0.2")
            let preview = try lines(h, "p = preview d n=3")
            XCTAssertEqual(preview, ["figure: \(h.path("quadrants-augmentation.png"))"])
            let paths = [h.path("quadrants-train-samples.png"), h.path("four.png"), h.path("quadrants-augmentation.png")]
            for p in paths { XCTAssertTrue(isPNG(p), p) }
            bytes.append(paths.map { FileManager.default.contents(atPath: $0) ?? Data() })
        }
        XCTAssertEqual(bytes[0], bytes[1], "the same script and seed draw byte-identical figures")
    }

    func testPreviewNeedsAnAugmentation() throws {
        let h = try ScriptHarness()
        let root = try h.makeQuadrantFolder(classes: 2, perClass: 4)
        try h.run("d = dataset \"\(root)\"")
        let e = h.error("preview d")
        XCTAssertTrue(e.contains("no augmentation is set"), e)
        let n = h.error("show d n=0")
        XCTAssertTrue(n.contains("'n'") && n.contains("between 1 and 400"), n)
    }

    // MARK: augment

    func testAugmentWarningsAndNone() throws {
        let h = try ScriptHarness()
        let root = try h.makeQuadrantFolder(classes: 2, perClass: 6)
        try h.run("d = dataset \"\(root)\"")
        let out = try lines(h, "augment d flip_v rotate=10")
        XCTAssertEqual(out[0], "augmentation: flip_v, rotate=10; originals 20%")
        XCTAssertTrue(out.contains { $0.hasPrefix("warning: flip_v: vertical flips") }, "\(out)")
        XCTAssertEqual(try dataset(h).augmentation?.rotate, 10)
        let zoom = try lines(h, "augment d zoom=0.5 originals=0")
        XCTAssertTrue(zoom.contains { $0.hasPrefix("warning: zoom:") }, "a 28 px input cannot shrink objects by half: \(zoom)")
        XCTAssertEqual(try lines(h, "augment d"), ["augmentation: zoom=0.5; originals 0%"])
        XCTAssertEqual(try lines(h, "augment d none"), ["augmentation: none (training images are only resized)"])
        XCTAssertNil(try dataset(h).augmentation)
        let mixed = h.error("augment d none flip_h")
        XCTAssertTrue(mixed.contains("leave out none"), mixed)
        let bad = h.error("augment d rotate=400")
        XCTAssertTrue(bad.contains("rotate=400") && bad.contains("between 0 and 180"), bad)
        let unknown = h.error("augment d flip_x")
        XCTAssertTrue(unknown.contains("flip_x"), unknown)
    }

    // MARK: crop, tile

    func testCropAndTileChangeSizesAndCounts() throws {
        let h = try ScriptHarness()
        let root = try h.makeQuadrantFolder(classes: 2, perClass: 10)
        try h.run("d = dataset \"\(root)\"\nsplit d val=0.2 test=0.2")
        let crop = try lines(h, "crop d roi=(2, 4, 20, 16)")
        XCTAssertEqual(crop[0], "cropped to (2, 4, 20, 16): 20 → 20 images, now 20x16")
        XCTAssertEqual(try lines(h, "print d.size"), ["20x16"])
        let tile = try lines(h, "tile d 2x4")
        XCTAssertEqual(tile[0], "cut into 2x4 tiles (rows x columns): 20 → 160 images, now 5x8")
        XCTAssertEqual(try number(h, "d.count"), 160)
        XCTAssertEqual(try number(h, "d.val.count"), 32, "tiles follow their image's split")
        let outside = h.error("crop d roi=(100, 100, 5, 5)")
        XCTAssertTrue(outside.contains("no image would be left"), outside)
        XCTAssertEqual(try number(h, "d.count"), 160, "a failed crop changes nothing")
        let badROI = h.error("crop d roi=(1, 2, 3)")
        XCTAssertTrue(badROI.contains("'roi'"), badROI)
    }

    // MARK: help

    func testEveryExampleRunsAsWritten() throws {
        try requireFashion()
        let registry = makeCommandRegistry()
        let names = ["dataset", "review", "split", "show", "augment", "preview", "crop", "tile"]
        let examples = try names.map { try XCTUnwrap(registry[$0]?.example, "\($0) has an example") }
        let h = try ScriptHarness()
        for example in examples { XCTAssertNoThrow(try h.run(example), example) }
        XCTAssertEqual(try number(h, "d.count"), 4 * 2000, "tile d 2x2 after crop: 4 tiles per image")
    }

    // MARK: plot and report

    func testDatasetIsPlottableAndReportable() throws {
        let h = try ScriptHarness()
        let root = try h.makeQuadrantFolder(classes: 3, perClass: 8)
        try h.run("d = dataset \"\(root)\"\nsplit d val=0.25 test=0.25\naugment d flip_h")
        guard case .object(let o)? = h.value("d"), let d = o as? DatasetValue else { return XCTFail("no dataset") }
        XCTAssertEqual(d.plotKinds.first, "counts")
        XCTAssertGreaterThan(try d.figure("counts").image().width, 100)
        let titles = try d.reportSections().map(\.title)
        XCTAssertEqual(titles, ["Data", "Review", "Split", "Augmentation"])
        let html = try Report(title: d.reportTitle, sections: try d.reportSections()).html()
        XCTAssertTrue(html.contains("flip_h") && html.contains("data:image/png;base64"), "the report shows the augmentation and embeds figures")
        try h.run("help dataset\nhelp review\nhelp augment")
        XCTAssertTrue(h.output.contains { $0.contains("counts") }, "kind docs list attributes")
    }
}
