import TensorCore
import NeuralNet
import LoupeBase

// The workloads of ../shared/bench/WORKLOADS.md. Inputs and labels are random (seeded); a
// training step is forward + backward + optimizer update; figures are medians over steps after
// two warm-up steps, timing at least `seconds` per workload.

/// One benchmark figure: `name<TAB>value unit`.
public struct BenchFigure: Sendable {
    public let name: String
    public let value: Double
    public let unit: String
    public var line: String { "\(name)\t\(formatFigure(value)) \(unit)" }
}

func formatFigure(_ v: Double) -> String {
    let scaled = (v * 10).rounded() / 10
    return scaled == scaled.rounded() ? "\(Int(scaled)).0" : "\(scaled)"
}

/// Monotonic seconds.
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Runs `step` twice to warm up, then repeatedly for at least `seconds` (and at least 3 times);
/// returns the median step time.
func medianStepTime(seconds: Double, _ step: () -> Void) -> Double {
    step(); step()
    var times: [Double] = []
    let end = now() + seconds
    while now() < end || times.count < 3 {
        let t = now(); step(); times.append(now() - t)
    }
    times.sort()
    return times[times.count / 2]
}

enum BenchModels {
    /// ResNet-18 with the small stem, 3x32x32 input, 10 classes (r18s).
    static func r18s() -> ResNet { ResNet(try! ResNetConfig.resnet(depth: 18, classes: 10, inputChannels: 3, stem: .small), seed: 1) }
    /// ResNet-20, CIFAR style, 1x28x28 input, 10 classes (r20).
    static func r20() -> ResNet { ResNet(try! ResNetConfig.resnet(depth: 20, classes: 10, inputChannels: 1), seed: 1) }
    /// torchvision ResNet-18, 3x224x224, 1000 classes.
    static func r18() -> ResNet { ResNet(try! ResNetConfig.resnet(depth: 18, classes: 1000, inputChannels: 3, stem: .imagenet), seed: 1) }

    static func randomBatch(_ shape: [Int], classes: Int, seed: UInt64) -> (Tensor, [Int]) {
        var rng = SeededGenerator(seed: seed)
        let x = Tensor(shape: shape)
        for i in 0..<x.count { x[i] = rng.nextNormal() }
        return (x, (0..<shape[0]).map { _ in rng.nextInt(below: classes) })
    }
}

/// A reusable training step: forward, loss, backward, SGD (momentum 0.9, weight decay 5e-4).
final class TrainingStep {
    let model: ResNet, x: Tensor, labels: [Int]
    let optimizer = SGD(momentum: 0.9, weightDecay: 5e-4)
    let gradient = Tensor(shape: [0])

    init(model: ResNet, batch: Int, size: Int, channels: Int) {
        self.model = model
        (x, labels) = BenchModels.randomBatch([batch, size, size, channels], classes: model.config.classes, seed: 2)
    }

    func run() {
        model.arena.zeroGrads()
        let logits = model.forward(x, training: true)
        _ = CrossEntropyLoss()(logits, labels: labels, gradient: gradient)
        model.backward(gradient)
        optimizer.step(model.arena, learningRate: { _ in 0.01 }, trainable: model.isTrainable)
    }
}

enum Workloads {
    static func sgemm(seconds: Double) -> BenchFigure {
        let n = 1024
        let a = Tensor(shape: [n, n]), b = Tensor(shape: [n, n]), c = Tensor(shape: [n, n])
        var rng = SeededGenerator(seed: 3)
        for i in 0..<(n * n) { a[i] = rng.nextNormal(); b[i] = rng.nextNormal() }
        let t = medianStepTime(seconds: seconds) {
            gemm(.none, .none, m: n, n: n, k: n, a: a.data, lda: n, b: b.data, ldb: n, c: c.data, ldc: n)
        }
        return BenchFigure(name: "sgemm-1024", value: 2 * Double(n * n * n) / t / 1e9, unit: "GFLOP/s")
    }

    /// Every convolution of r18s-train at batch 64, forward + backward, as standalone layers with
    /// the same geometry (the stem computes no input gradient, as in training).
    static func convR18s(seconds: Double) -> BenchFigure {
        let model = BenchModels.r18s()
        let (x, _) = BenchModels.randomBatch([64, 32, 32, 3], classes: 10, seed: 2)
        _ = model.forward(x, training: true)
        let arena = ParameterArena(), workspace = Workspace()
        var layers: [(Conv2D, Tensor, Tensor)] = []
        var flops = 0.0
        for (i, c) in model.convolutions.enumerated() {
            let out = c.output.shape
            let h = out[1] * c.stride, w = out[2] * c.stride
            let conv = Conv2D("c\(i)", c.inChannels, c.outChannels, kernel: c.kernel, stride: c.stride, padding: c.padding,
                              arena: arena, workspace: workspace)
            conv.needsInputGradient = i > 0
            layers.append((conv, Tensor(shape: [64, h, w, c.inChannels]), Tensor(shape: out)))
            let gemmFlops = 2 * Double(out[0] * out[1] * out[2]) * Double(c.inChannels * c.kernel * c.kernel) * Double(c.outChannels)
            flops += gemmFlops * (i > 0 ? 3 : 2)
        }
        arena.allocate()
        var rng = SeededGenerator(seed: 4)
        for (conv, input, dy) in layers {
            conv.initialize(&rng)
            for i in 0..<input.count { input[i] = rng.nextNormal() }
            for i in 0..<dy.count { dy[i] = rng.nextNormal() }
        }
        let t = medianStepTime(seconds: seconds) {
            for (conv, input, dy) in layers { _ = conv.forward(input); conv.backward(dy) }
        }
        return BenchFigure(name: "conv-r18s", value: flops / t / 1e9, unit: "GFLOP/s")
    }

    static func train(_ name: String, model: ResNet, batch: Int, size: Int, channels: Int, seconds: Double) -> BenchFigure {
        let step = TrainingStep(model: model, batch: batch, size: size, channels: channels)
        let t = medianStepTime(seconds: seconds) { step.run() }
        return BenchFigure(name: name, value: Double(batch) / t, unit: "img/s")
    }

    static func infer(_ name: String, batch: Int, seconds: Double) -> BenchFigure {
        let model = BenchModels.r18()
        let (x, _) = BenchModels.randomBatch([batch, 224, 224, 3], classes: 1000, seed: 2)
        let t = medianStepTime(seconds: seconds) { _ = model.forward(x, training: false) }
        return BenchFigure(name: name, value: Double(batch) / t, unit: "img/s")
    }
}

#if canImport(Glibc)
import Glibc
#endif
