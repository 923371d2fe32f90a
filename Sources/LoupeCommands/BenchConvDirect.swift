import TensorCore
import NeuralNet

// `loupe bench conv-direct`: not a workload of WORKLOADS.md but the measurement behind
// `DirectConvolution.widest`: every distinct 3x3 convolution of r20-train and r18s-train,
// forward + backward, through the direct kernel and through im2col + GEMM, alternating the two
// in short turns so that both see the same machine. One line per layer, the speed-up:
// `conv-direct r20 16->16 28x28 s1<TAB>2.4 x` = GEMM time / direct time.

extension Workloads {
    static func convDirect(seconds: Double) -> [BenchFigure] {
        guard DirectConvolution.isAvailable else { return [] }
        // (network, batch, input channels, output channels, input size, stride)
        let layers: [(String, Int, Int, Int, Int, Int)] = [
            ("r20", 128, 16, 16, 28, 1), ("r20", 128, 16, 32, 28, 2), ("r20", 128, 32, 32, 14, 1),
            ("r20", 128, 32, 64, 14, 2), ("r20", 128, 64, 64, 7, 1),
            ("r18s", 64, 64, 64, 32, 1), ("r18s", 64, 64, 128, 32, 2), ("r18s", 64, 128, 128, 16, 1),
        ]
        let turns = 5
        var figures: [BenchFigure] = []
        for (net, batch, c, oc, size, stride) in layers {
            var times: [[Double]] = [[], []]
            let arena = ParameterArena()
            let convs = [true, false].map { direct -> Conv2D in
                let conv = Conv2D(direct ? "direct" : "gemm", c, oc, kernel: 3, stride: stride, padding: 1, arena: arena, workspace: Workspace())
                conv.allowsDirect = direct
                return conv
            }
            arena.allocate()
            var rng = SeededGenerator(seed: 5)
            for conv in convs { conv.initialize(&rng) }
            let (x, _) = BenchModels.randomBatch([batch, size, size, c], classes: 1, seed: 6)
            let out = (size - 1) / stride + 1
            let (dy, _) = BenchModels.randomBatch([batch, out, out, oc], classes: 1, seed: 7)
            for _ in 0..<turns {
                for (i, conv) in convs.enumerated() {
                    times[i].append(medianStepTime(seconds: seconds / Double(2 * turns * layers.count)) {
                        _ = conv.forward(x); conv.backward(dy)
                    })
                }
            }
            let median = times.map { $0.sorted()[turns / 2] }
            figures.append(BenchFigure(name: "conv-direct \(net) \(c)->\(oc) \(size)x\(size) s\(stride)",
                                       value: median[1] / median[0], unit: "x"))
        }
        return figures
    }
}
