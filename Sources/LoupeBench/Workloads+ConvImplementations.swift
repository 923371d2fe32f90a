import TensorCore
import NeuralNet

// `loupe bench conv-impl`: not a workload of WORKLOADS.md but a diagnostic for the engine:
// the oneDNN implementation of every convolution pass of the benchmark networks (and ResNet-50
// at 224x224), one line each, `conv-impl NET LAYER SHAPE PASS<TAB>IMPLEMENTATION`. oneDNN falls
// back to its slow `ref:` kernels without a word when a descriptor is off; this shows it.

extension Workloads {
    static func convImplementations() -> [String] {
        var lines = ["conv-impl oneDNN\t\(OneDNN.version), ISA \(OneDNN.isa)"]
        let nets: [(String, () -> ResNet, Int, Int, Int)] = [
            ("r18s", BenchModels.r18s, 64, 32, 32), ("r20", BenchModels.r20, 128, 28, 28),
            ("r18", BenchModels.r18, 1, 224, 224), ("r18", BenchModels.r18, 32, 224, 224),
            ("r50", { ResNet(try! ResNetConfig.resnet(depth: 50, classes: 1000, inputChannels: 3, stem: .imagenet), seed: 1) }, 32, 224, 224),
        ]
        for (name, make, batch, h, w) in nets {
            for c in make().convolutionImplementations(batch: batch, height: h, width: w) {
                lines.append("conv-impl \(name) \(c.layer) \(c.shape) \(c.pass)\t\(c.implementation)")
            }
        }
        return lines
    }
}
