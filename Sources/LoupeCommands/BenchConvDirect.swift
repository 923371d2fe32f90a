import TensorCore
import NeuralNet

// `loupe bench conv-direct`: not a workload of WORKLOADS.md but the measurement behind
// `DirectConvolution.widest`: every distinct convolution of r20-train and r18s-train,
// forward + backward, through the direct kernel and through im2col + GEMM, alternating the two
// in short turns so that both see the same machine; also the first layers of batch-1 ResNet-18
// inference. One line per layer and pass (forward alone; forward + backward), the speed-up:
// `conv-direct r20 16->16 3x3 at 28x28 s1 train<TAB>2.4 x` = GEMM time / direct time.

extension Workloads {
    static func convDirect(seconds: Double) -> [BenchFigure] {
        guard DirectConvolution.isAvailable else { return [] }
        // (network, batch, input channels, output channels, kernel, input size, stride, training)
        let layers: [(String, Int, Int, Int, Int, Int, Int, Bool)] = [
            ("r20", 128, 16, 16, 3, 28, 1, true), ("r20", 128, 16, 32, 3, 28, 2, true), ("r20", 128, 32, 32, 3, 14, 1, true),
            ("r20", 128, 32, 64, 3, 14, 2, true), ("r20", 128, 64, 64, 3, 7, 1, true),
            ("r18s", 64, 64, 64, 3, 32, 1, true), ("r18s", 64, 64, 128, 3, 32, 2, true), ("r18s", 64, 128, 128, 3, 16, 1, true),
            ("r18-infer1", 1, 3, 64, 7, 224, 2, false), ("r18-infer1", 1, 64, 64, 3, 56, 1, false),
        ]
        let turns = 5
        var figures: [BenchFigure] = []
        for (net, batch, c, oc, k, size, stride, training) in layers {
            let arena = ParameterArena()
            let convs = [true, false].map { direct -> Conv2D in
                let conv = Conv2D(direct ? "direct" : "gemm", c, oc, kernel: k, stride: stride, padding: k / 2, arena: arena, workspace: Workspace())
                conv.allowsDirect = direct
                return conv
            }
            arena.allocate()
            var rng = SeededGenerator(seed: 5)
            for conv in convs { conv.initialize(&rng) }
            let (x, _) = BenchModels.randomBatch([batch, size, size, c], classes: 1, seed: 6)
            let out = (size - 1) / stride + 1
            let (dy, _) = BenchModels.randomBatch([batch, out, out, oc], classes: 1, seed: 7)
            // Forward alone, then (in training) forward + backward; each direct against GEMM.
            for pass in training ? ["forward", "train"] : ["forward"] {
                var times: [[Double]] = [[], []]
                for _ in 0..<turns {
                    for (i, conv) in convs.enumerated() {
                        times[i].append(medianStepTime(seconds: seconds / Double(4 * turns * layers.count)) {
                            _ = conv.forward(x)
                            if pass == "train" { conv.backward(dy) }
                        })
                    }
                }
                let median = times.map { $0.sorted()[turns / 2] }
                figures.append(BenchFigure(name: "conv-direct \(net) \(c)->\(oc) \(k)x\(k) at \(size)x\(size) s\(stride) \(pass)",
                                           value: median[1] / median[0], unit: "x"))
            }
        }
        return figures
    }
}
