import Foundation
import XCTest
import TensorCore
import NeuralNet

final class ModelStoreTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-modelstore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// Done-when 3: both torchvision files import, and the logits for resnet18_io's input match PyTorch's.
    func testResNet18ImportsFromPthAndSafetensorsWithPyTorchsLogits() throws {
        let io = try EngineFixtures.load("torch/resnet18_io.safetensors")
        let x = EngineFixtures.nhwc(io["x"]!)
        for file in ["torch/resnet18.pth", "torch/resnet18.safetensors"] {
            let model = try ModelStore.importTorchvision(path: EngineFixtures.path(file), depth: 18, classes: nil, seed: 0)
            XCTAssertEqual(model.config.classes, 10)
            XCTAssertEqual(model.config.stem, .imagenet)
            assertClose(model.forward(x, training: false).toArray(), io["logits"]!.floats, rtol: 1e-3, atol: 1e-4, "\(file) logits")
        }
    }

    /// The same initial state from tinyresnet.pth gives the fixture's logits.
    func testTinyResNetFromPthGivesTheSameLogits() throws {
        let fx = try EngineFixtures.load("torch/tinyresnet.safetensors")
        let tensors = try TorchCheckpoint.readStateDict(path: EngineFixtures.path("torch/tinyresnet.pth"))
        let model = ResNet(TinyResNetAgainstTorchTests.config, seed: 0)
        try model.load(state: { tensors[$0].map { (shape: $0.shape, values: $0.valuesAsFloats) } })
        let logits = model.forward(EngineFixtures.nhwc(fx["x"]!), training: true)
        assertClose(logits.toArray(), fx["logits"]!.floats, "tinyresnet.pth logits")
    }

    func testImportWithOtherClassesReplacesOnlyTheOutputLayer() throws {
        let original = try ModelStore.importTorchvision(path: EngineFixtures.path("torch/resnet18.safetensors"), depth: 18, classes: nil, seed: 0)
        let model = try ModelStore.importTorchvision(path: EngineFixtures.path("torch/resnet18.safetensors"), depth: 18, classes: 3, seed: 0)
        XCTAssertEqual(model.config.classes, 3)
        let a = Dictionary(uniqueKeysWithValues: original.state().map { ($0.name, $0.values) })
        for s in model.state() where !s.name.hasPrefix("fc.") { XCTAssertEqual(s.values, a[s.name], s.name) }
        XCTAssertEqual(model.state().first { $0.name == "fc.weight" }!.shape, [3, 512])
    }

    func testWrongArchitectureIsNamed() {
        XCTAssertThrowsError(try ModelStore.importTorchvision(path: EngineFixtures.path("torch/resnet18.pth"), depth: 34, classes: nil, seed: 0)) {
            guard case .weightsDoNotFit(_, 34, _)? = $0 as? ModelStoreError else { return XCTFail("\($0)") }
        }
    }

    func testSaveLoadRoundTripKeepsWeightsStatisticsAndMetadata() throws {
        var config = try ResNetConfig.resnet(depth: 20, classes: 3, inputChannels: 1, hidden: 32, dropout: 0.2)
        config.stages = [1, 1, 1]
        let model = ResNet(config, seed: 4)
        let x = Tensor(shape: [2, 8, 8, 1])
        for i in 0..<x.count { x[i] = Float(i % 7) / 7 }
        _ = model.forward(x, training: true)   // moves the running statistics away from their start
        var meta = ModelMetadata(architecture: config, classNames: ["a", "b", "c"], inputWidth: 8, inputHeight: 8,
                                 normalization: .imagenet(channels: 1), id: "test-model", training: "{\"epochs\":3}")
        meta.datasetFingerprint = "abc"
        let path = folder.appendingPathComponent("m.loupe").path
        try ModelStore.save(model, metadata: meta, to: path)
        let (loaded, loadedMeta) = try ModelStore.load(path: path)
        XCTAssertEqual(loadedMeta, meta)
        XCTAssertEqual(loaded.state(), model.state())
        XCTAssertEqual(loaded.forward(x, training: false).toArray(), model.forward(x, training: false).toArray())
    }

    func testForeignAndBrokenFilesAreRefusedWithTheirPath() throws {
        // Plain safetensors without Loupe metadata.
        XCTAssertThrowsError(try ModelStore.load(path: EngineFixtures.path("torch/resnet18.safetensors"))) {
            XCTAssertEqual($0 as? ModelStoreError, .noLoupeMetadata(path: EngineFixtures.path("torch/resnet18.safetensors")), "\($0)")
        }
        // A truncated model file.
        let model = ResNet(try ResNetConfig.resnet(depth: 20, classes: 2, inputChannels: 1), seed: 1)
        let meta = ModelMetadata(architecture: model.config, classNames: ["x", "y"], inputWidth: 28, inputHeight: 28,
                                 normalization: .none(channels: 1), id: "t")
        let path = folder.appendingPathComponent("t.loupe").path
        try ModelStore.save(model, metadata: meta, to: path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let cut = folder.appendingPathComponent("cut.loupe").path
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cut))
        XCTAssertThrowsError(try ModelStore.load(path: cut)) { XCTAssertTrue("\($0)".contains("cut.loupe"), "\($0)") }
        // Metadata naming the wrong number of classes.
        var bad = meta
        bad.classNames = ["only one"]
        XCTAssertThrowsError(try ModelStore.save(model, metadata: { var m = bad; m.architecture.classes = 5; return m }(), to: path))
    }
}
