import Foundation
import TestSupport
import XCTest
import LoupeLang
import LoupeCommands
import Datasets
import Workflow

/// A harness with `d`: the generated quadrant folder, split 75/25 (no test split), so the
/// model and training families are tested without the data commands.
func quadrantHarness(perClass: Int = 12, split: Bool = true, seed: UInt64 = 0) throws -> ScriptHarness {
    let h = try ScriptHarness(seed: seed)
    let root = try h.makeQuadrantFolder(perClass: perClass)
    var d = try Dataset.load(root)
    if split { d = try d.splitting(SplitFractions(train: 0.75, val: 0.25, test: 0), seed: 7) }
    h.session.variables["d"] = .object(DatasetValue(d))
    return h
}

final class ModelCommandsTests: XCTestCase {
    func testResnetFromDatasetTakesClassesSizeChannelsAndStatistics() throws {
        let h = try quadrantHarness()
        try h.lines("m = resnet 20 classes=d")
        let m = try XCTUnwrap(h.value("m").flatMap { if case .object(let o) = $0 { return o as? ModelValue } else { return nil } })
        XCTAssertEqual(m.metadata.classNames, ["class0", "class1", "class2", "class3"])
        XCTAssertEqual(m.metadata.inputWidth, 28)
        XCTAssertEqual(m.model.config.inputChannels, 1)
        XCTAssertEqual(m.model.config.stem, .small)
        XCTAssertEqual(m.metadata.normalization.kind, .dataset)
        // Mostly dark noise with a bright square: the mean is well below 0.5.
        XCTAssertLessThan(m.metadata.normalization.mean[0], 0.5)
        XCTAssertGreaterThan(m.metadata.normalization.std[0], 0.05)
        XCTAssertEqual(try h.lines("print m.arch m.input m.params"), ["resnet20 28x28 \(m.model.parameterCount)"])
    }

    func testResnetWithClassCountUsesDefaultSizesAndNames() throws {
        let h = try ScriptHarness()
        try h.lines("a = resnet 18 classes=3\nb = resnet 18 classes=3 stem=small\nc = resnet 20 classes=2 channels=1 size=40x30 head=32 dropout=0.2")
        XCTAssertEqual(try h.lines("print a.input b.input c.input a.classes"), ["224x224 32x32 40x30 [\"0\", \"1\", \"2\"]"])
        XCTAssertEqual(try h.lines("print c.channels"), ["1"])
    }

    func testSameSeedGivesSameInitialisationAndID() throws {
        func weights(_ seed: UInt64) throws -> ([Float], String) {
            let h = try ScriptHarness(seed: seed)
            try h.lines("m = resnet 20 classes=4")
            guard case .object(let o)? = h.value("m"), let m = o as? ModelValue else { throw XCTSkip("no model") }
            return (m.model.state().flatMap(\.values), m.metadata.id)
        }
        let (a, idA) = try weights(3), (b, idB) = try weights(3), (c, idC) = try weights(4)
        XCTAssertEqual(a, b)
        XCTAssertEqual(idA, idB)
        XCTAssertNotEqual(a, c)
        XCTAssertNotEqual(idA, idC)
    }

    func testUnknownDepthSuggestsTheNearest() throws {
        let h = try ScriptHarness()
        let message = h.error("m = resnet 19 classes=3")
        XCTAssertTrue(message.contains("did you mean 18"), message)
        XCTAssertTrue(message.contains("'depth'"), message)
        XCTAssertNil(h.value("m"))
        // Without classes too: the wrong depth is what is reported, not the missing classes.
        let bare = h.error("m = resnet 19")
        XCTAssertTrue(bare.contains("no ResNet of depth 19") && bare.contains("did you mean 18"), bare)
        XCTAssertTrue(h.error("m = resnet 20 classes=3 stem=imagenet").contains("small"))
        XCTAssertTrue(h.error("m = resnet 18 classes=3 dropout=0.3").contains("head=N"))
        XCTAssertTrue(h.error("m = resnet 18 classes=3 channels=2").contains("'channels'"))
    }

    func testFreezeChangesTrainable() throws {
        let h = try ScriptHarness()
        try h.lines("m = resnet 20 classes=4\nall = m.trainable")
        let out = try h.lines("freeze m\nprint m.trainable < all m.frozen\nunfreeze m\nprint m.trainable == all m.frozen")
        XCTAssertTrue(out.contains("true true"), "\(out)")
        XCTAssertTrue(out.contains("true false"), "\(out)")
        // A frozen resnet20 trains only its 64x4 + 4 output layer.
        try h.lines("freeze m")
        XCTAssertEqual(try h.lines("print m.trainable"), ["260"])
    }

    func testResetHeadKeepsBackboneAndTakesDatasetClasses() throws {
        let h = try quadrantHarness()
        try h.lines("m = resnet 20 classes=10")
        guard case .object(let o)? = h.value("m"), let m = o as? ModelValue else { return XCTFail("no model") }
        let before = Dictionary(uniqueKeysWithValues: m.model.state().map { ($0.name, $0.values) })
        try h.lines("freeze m\nreset_head m classes=d")
        XCTAssertEqual(m.metadata.classNames, ["class0", "class1", "class2", "class3"])
        XCTAssertEqual(m.model.config.classes, 4)
        XCTAssertTrue(m.model.backboneFrozen, "freezing survives a new head")
        for s in m.model.state() where !s.name.hasPrefix("fc.") {
            XCTAssertEqual(before[s.name], s.values, s.name)
        }
        XCTAssertEqual(m.model.state().first { $0.name == "fc.weight" }?.shape, [4, 64])
    }

    func testSaveLoadRoundTripGivesIdenticalEvaluation() throws {
        let h = try quadrantHarness()
        try h.lines("m = resnet 20 classes=d\nrun = train m d epochs=1 checkpoint=false")
        let file = h.path("model.loupe")
        let out = try h.lines("save m \"\(file)\"\nsave m \"\(file)\"\nm2 = load_model \"\(file)\"\nprint m2.version m2.classes")
        XCTAssertTrue(out.contains("saved resnet20 version 2 to \(file)"), "\(out)")
        XCTAssertEqual(out.last, "2 [\"class0\", \"class1\", \"class2\", \"class3\"]")
        guard case .object(let a)? = h.value("m"), let m = a as? ModelValue,
              case .object(let b)? = h.value("m2"), let m2 = b as? ModelValue,
              case .object(let c)? = h.value("d"), let d = c as? DatasetValue else { return XCTFail("values missing") }
        XCTAssertEqual(m2.metadata.normalization, m.metadata.normalization)
        XCTAssertEqual(m2.trainingRecords.count, 1)
        XCTAssertEqual(m2.trainingRecords.first?.history.count, 1)
        let source = DatasetBatchSource(dataset: d.dataset.subset(.val)!, preprocessing: Preprocessing(m.metadata))
        let e1 = try evaluate(m.model, on: source), e2 = try evaluate(m2.model, on: source)
        XCTAssertEqual(e1.loss, e2.loss)
        XCTAssertEqual(e1.predictions, e2.predictions)
    }

    func testLoadModelErrorsNameTheFile() throws {
        let h = try ScriptHarness()
        XCTAssertTrue(h.error("m = load_model \"nowhere.loupe\"").contains("nowhere.loupe"))
        let bogus = h.path("bogus.loupe")
        try Data("not a model".utf8).write(to: URL(fileURLWithPath: bogus))
        XCTAssertTrue(h.error("m = load_model \"\(bogus)\"").contains("bogus.loupe"))
    }

    func testImportModelTakesANewHeadForTheDataset() throws {
        let file = PackagePaths.sharedFixture("torch/resnet18.safetensors")
        let h = try quadrantHarness()
        let out = try h.lines("p = import_model \"\(file)\" arch=resnet18 classes=d\nq = import_model \"\(file)\" size=64x48\nprint p.classes q.classes q.input p.input")
        XCTAssertTrue(out.contains { $0.hasPrefix("note: 28x28 images through the ImageNet stem") }, "\(out)")
        XCTAssertEqual(out.last, "[\"class0\", \"class1\", \"class2\", \"class3\"] [\"0\", \"1\", \"2\", \"3\", \"4\", \"5\", \"6\", \"7\", \"8\", \"9\"] 64x48 28x28")
        let p = try XCTUnwrap({ if case .object(let o)? = h.value("p") { return o as? ModelValue } else { return nil } }())
        let q = try XCTUnwrap({ if case .object(let o)? = h.value("q") { return o as? ModelValue } else { return nil } }())
        let pState = Dictionary(uniqueKeysWithValues: p.model.state().map { ($0.name, $0.values) })
        for s in q.model.state() where !s.name.hasPrefix("fc.") { XCTAssertEqual(pState[s.name], s.values, s.name) }
        XCTAssertEqual(p.model.state().first { $0.name == "fc.weight" }?.shape, [4, 512])
        XCTAssertEqual(p.metadata.normalization.kind, .imagenet)
        XCTAssertTrue(h.error("r = import_model \"\(file)\" normalize=dataset").contains("'normalize'"))
        let wrong = h.error("r = import_model \"\(file)\" arch=resnet34")
        XCTAssertTrue(wrong.contains("'arch'") && wrong.contains("resnet34"), wrong)
        XCTAssertTrue(h.error("r = import_model \"missing.pth\"").contains("missing.pth"))
    }

    func testSummaryCountsParametersAndFlops() throws {
        let h = try ScriptHarness()
        try h.lines("m = resnet 18 classes=1000")
        guard case .object(let o)? = h.value("m"), let m = o as? ModelValue else { return XCTFail("no model") }
        let rows = layerSummaries(m.model, inputWidth: 224, inputHeight: 224)
        XCTAssertEqual(rows.reduce(0) { $0 + $1.parameters }, 11_689_512, "torchvision's resnet18 count")
        // torchvision lists resnet18 at 1.814 G multiply-adds per 224x224 image.
        let flops = Double(rows.reduce(0) { $0 + $1.flops })
        XCTAssertEqual(flops / 2 / 1e9, 1.814, accuracy: 0.005)
        XCTAssertEqual(rows.last?.outputChannels, 1000)
        XCTAssertEqual(rows.first { $0.name.hasPrefix("layer4.1") }.map { [$0.outputHeight, $0.outputChannels] }, [7, 512])
        let out = try h.lines("freeze m\nsummary m")
        XCTAssertTrue(out.contains { $0.hasPrefix("stem") && $0.contains("frozen") }, out.joined(separator: "\n"))
        XCTAssertTrue(out.contains { $0.hasPrefix("fc (output layer)") && $0.contains("yes") })
        XCTAssertTrue(out.contains { $0.hasPrefix("total") && $0.contains("3.63G") }, out.joined(separator: "\n"))
    }

    func testBottleneckSummaryMatchesTorchvision() throws {
        let h = try ScriptHarness()
        try h.lines("m = resnet 50 classes=1000")
        guard case .object(let o)? = h.value("m"), let m = o as? ModelValue else { return XCTFail("no model") }
        let rows = layerSummaries(m.model, inputWidth: 224, inputHeight: 224)
        XCTAssertEqual(rows.reduce(0) { $0 + $1.parameters }, 25_557_032)
        XCTAssertEqual(Double(rows.reduce(0) { $0 + $1.flops }) / 2 / 1e9, 4.089, accuracy: 0.01)
    }
}

