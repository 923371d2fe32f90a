import Foundation
import XCTest
import LoupeLang
import LoupeCommands
import NeuralNet
import Pretrained
import TensorCore
import TestSupport

/// `resnet DEPTH weights=…`: a checked file becomes the model's weights (a new head for the
/// classes), grey input sums the first layer's RGB filters, a wrong hash or a small stem is refused.
final class PretrainedWeightsCommandTests: XCTestCase {
    /// The torchvision ResNet-18 fixture under a torch.hub name carrying its real sha256 prefix.
    func hashedFixture(_ h: ScriptHarness) throws -> String {
        let fixture = PackagePaths.sharedFixture("torch/resnet18.pth")
        let hash = try WeightFile.sha256(path: fixture)
        let named = h.path("resnet18-\(hash.prefix(10)).pth")
        try FileManager.default.copyItem(atPath: fixture, toPath: named)
        return named
    }

    func model(_ h: ScriptHarness, _ name: String) throws -> ModelValue {
        try XCTUnwrap({ if case .object(let o)? = h.value(name) { return o as? ModelValue } else { return nil } }())
    }

    func testWeightsFromAFileWithANewHeadAndGreyInput() throws {
        let h = try ScriptHarness()
        let file = try hashedFixture(h)
        try h.run("""
        m = resnet 18 classes=3 weights="\(file)"
        i = import_model "\(file)" arch=resnet18 classes=3
        g = resnet 18 classes=3 channels=1 size=64x64 weights="\(file)"
        save m "\(h.path("m.loupe"))"
        m2 = load_model "\(h.path("m.loupe"))"
        """)
        XCTAssertEqual(try model(h, "m2").metadata.crop, 224.0 / 256, "the model file remembers the crop")
        XCTAssertTrue(h.output.joined(separator: "\n").contains("the shorter side resized to 73 px and the centre 64x64 kept"), h.output.joined(separator: "\n"))
        let (m, i, g) = (try model(h, "m"), try model(h, "i"), try model(h, "g"))
        XCTAssertEqual(m.model.config.classes, 3)
        XCTAssertEqual(m.metadata.normalization.kind, .imagenet)
        XCTAssertEqual(m.metadata.crop, 224.0 / 256, "torchvision's resize 256, centre crop 224 goes with the weights")
        XCTAssertEqual(i.metadata.crop, nil, "import_model keeps the plain resize")
        let mState = Dictionary(uniqueKeysWithValues: m.model.state().map { ($0.name, $0) })
        let iState = Dictionary(uniqueKeysWithValues: i.model.state().map { ($0.name, $0) })
        for name in ["conv1.weight", "layer3.1.conv2.weight", "layer4.0.bn1.running_var"] {
            XCTAssertEqual(mState[name]?.values, iState[name]?.values, "\(name) comes from the file")
        }
        // Grey: the first layer's filters are the sums of the RGB ones (fastai's rule); the rest as the file.
        XCTAssertEqual(g.model.config.inputChannels, 1)
        XCTAssertEqual(g.model.config.stem, .imagenet, "pretrained weights keep their stem at 64x64")
        let rgb = iState["conv1.weight"]!, grey = Dictionary(uniqueKeysWithValues: g.model.state().map { ($0.name, $0) })["conv1.weight"]!
        XCTAssertEqual(grey.shape, [64, 1, 7, 7])
        for o in [0, 17, 63] {
            for k in [0, 24, 48] {
                let sum = (0..<3).map { rgb.values[(o * 3 + $0) * 49 + k] }.reduce(0, +)
                XCTAssertEqual(grey.values[o * 49 + k], sum, accuracy: 1e-6)
            }
        }
        let gState = Dictionary(uniqueKeysWithValues: g.model.state().map { ($0.name, $0) })
        for (name, tensor) in iState where name != "conv1.weight" && !name.hasPrefix("fc.") {
            XCTAssertEqual(gState[name]?.values, tensor.values, "\(name) is the file's")
        }
        // Forward: a grey image through g equals the same image as R = G = B through the RGB network.
        let rgbModel = i.model
        let x1 = Tensor(shape: [1, 32, 32, 1], values: (0..<1024).map { Float(($0 * 37) % 101) / 101 })
        var x3values: [Float] = []
        for v in Array(x1.buffer) { x3values += [v, v, v] }
        let x3 = Tensor(shape: [1, 32, 32, 3], values: x3values)
        // The same output layer in both (g's heads were drawn apart from i's).
        let gHead = g.model, iHead = rgbModel.clone()
        try iHead.load(state: { name in gState[name].map { ($0.shape, $0.values) } }, skipping: { !$0.hasPrefix("fc.") })
        let (a, b) = (Array(gHead.forward(x1, training: false).buffer), Array(iHead.forward(x3, training: false).buffer))
        for (p, q) in zip(a, b) { XCTAssertEqual(p, q, accuracy: 1e-3 * max(1, abs(q))) }
    }

    func testWrongHashAndSmallStemAreRefusedNamingWeights() throws {
        let h = try ScriptHarness()
        let file = try hashedFixture(h)
        let wrong = h.path("resnet18-0000000000.pth")
        try FileManager.default.copyItem(atPath: file, toPath: wrong)
        let hashError = h.error("m = resnet 18 classes=3 weights=\"\(wrong)\"")
        XCTAssertTrue(hashError.contains("weights") && hashError.contains("sha256") && hashError.contains("0000000000"), hashError)
        let stemError = h.error("m = resnet 18 classes=3 stem=small weights=\"\(file)\"")
        XCTAssertTrue(stemError.contains("ImageNet stem") && stemError.contains("stem=small"), stemError)
        let cifar = h.error("m = resnet 20 classes=3 weights=imagenet")
        XCTAssertTrue(cifar.contains("18, 34, 50, 101 and 152"), cifar)
        XCTAssertNil(h.value("m"), "a refused model is not assigned")
    }
}
