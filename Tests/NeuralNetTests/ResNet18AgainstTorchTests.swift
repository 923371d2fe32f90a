import XCTest
import TensorCore
import NeuralNet

final class ResNet18AgainstTorchTests: XCTestCase {
    /// torchvision resnet18(num_classes=10), eval mode, x [3, 3, 64, 64]. Tolerance rtol 1e-3 /
    /// atol 1e-4: eighteen layers of float32 accumulation in a different order than PyTorch's.
    func testEvalLogitsFromSafetensorsWeights() throws {
        let weights = try EngineFixtures.load("torch/resnet18.safetensors")
        let io = try EngineFixtures.load("torch/resnet18_io.safetensors")
        let model = ResNet(try ResNetConfig.resnet(depth: 18, classes: 10), seed: 0)
        try model.load(state: { weights[$0].map { (shape: $0.shape, values: $0.floats) } })
        let logits = model.forward(EngineFixtures.nhwc(io["x"]!), training: false)
        XCTAssertEqual(logits.shape, [3, 10])
        assertClose(logits.toArray(), io["logits"]!.floats, rtol: 1e-3, atol: 1e-4, "resnet18 logits")
    }

    func testLoadRefusesWeightsOfAnotherShape() throws {
        let weights = try EngineFixtures.load("torch/resnet18.safetensors")
        let model = ResNet(try ResNetConfig.resnet(depth: 34, classes: 10), seed: 0)
        XCTAssertThrowsError(try model.load(state: { weights[$0].map { (shape: $0.shape, values: $0.floats) } })) { error in
            XCTAssertTrue("\(error)".contains("missing layer1.2"), "\(error)")
        }
    }

    func testNewHeadKeepsTheBackbone() throws {
        let model = ResNet(try ResNetConfig.resnet(depth: 20, classes: 5, inputChannels: 1), seed: 3)
        let next = try model.withNewHead(classes: 10, seed: 4)
        XCTAssertEqual(next.config.classes, 10)
        let before = Dictionary(uniqueKeysWithValues: model.state().map { ($0.name, $0) })
        for s in next.state() {
            if s.name.hasPrefix("fc.") { XCTAssertEqual(s.shape.first, 10); continue }
            XCTAssertEqual(s.values, before[s.name]!.values, s.name)
        }
    }

    func testUnknownDepthSuggestsANeighbour() {
        XCTAssertThrowsError(try ResNetConfig.resnet(depth: 19, classes: 2)) { error in
            XCTAssertTrue("\(error)".contains("did you mean 18"), "\(error)")
        }
    }

    /// Every depth builds with torchvision's parameter count (ImageNet stem, 1000 classes).
    func testParameterCountsMatchTorchvision() throws {
        let expected = [18: 11_689_512, 34: 21_797_672, 50: 25_557_032]
        for (depth, count) in expected {
            let model = ResNet(try ResNetConfig.resnet(depth: depth, classes: 1000), seed: 0)
            XCTAssertEqual(model.parameterCount, count, "resnet\(depth)")
        }
        // ResNet-20 (CIFAR, 3 channels, 10 classes) with 1x1 projection shortcuts, layer by layer:
        // stem 432 + 32; stage 1: 3·(2·2304 + 64) = 14,016; stage 2: 14,528 + 2·18,560 = 51,648;
        // stage 3: 57,728 + 2·73,984 = 205,696; fc 650.
        let r20 = ResNet(try ResNetConfig.resnet(depth: 20, classes: 10), seed: 0)
        XCTAssertEqual(r20.parameterCount, 432 + 32 + 14_016 + 51_648 + 205_696 + 650, "resnet20")
    }
}
