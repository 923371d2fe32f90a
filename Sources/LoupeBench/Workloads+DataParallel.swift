import TensorCore
import NeuralNet

// Data-parallel workloads (`mpirun -np N loupe bench dp-r20 …`, docs/distributed.md): one
// training step over a global batch split across the ranks, exactly as `train` makes it, with
// the time spent in and the bytes passed to the sums counted per step; and the fused gradient
// sum alone. Run alone they measure the same step on one process (no sums).

/// Sums that count their calls, bytes and time (what a step costs in communication).
final class CountingCommunicator: Communicator {
    let base: Communicator
    var seconds = 0.0, bytes = 0, calls = 0
    init(_ base: Communicator) { self.base = base }
    var rank: Int { base.rank }
    var size: Int { base.size }

    func allReduceSum(_ buffer: UnsafeMutablePointer<Float>, count: Int) {
        let t = now(); base.allReduceSum(buffer, count: count)
        seconds += now() - t; bytes += 4 * count; calls += 1
    }
    func allReduceSum(_ buffer: UnsafeMutablePointer<Double>, count: Int) {
        let t = now(); base.allReduceSum(buffer, count: count)
        seconds += now() - t; bytes += 8 * count; calls += 1
    }
    func broadcast(_ buffer: UnsafeMutableRawPointer, bytes: Int, root: Int) { base.broadcast(buffer, bytes: bytes, root: root) }
    func allGather(_ bytes: [UInt8]) -> [[UInt8]] { base.allGather(bytes) }
}

extension Workloads {
    /// Global batch `batch` split over the ranks: images/s of the whole job, and per step the
    /// sums' bytes, calls and time (BatchNorm statistics and the fused gradients), and the
    /// gradient sum alone.
    static func dataParallelTrain(_ name: String, model: ResNet, batch: Int, size: Int, channels: Int, seconds: Double,
                                  communicator: Communicator?) -> [BenchFigure] {
        let (x, labels) = BenchModels.randomBatch([batch, size, size, channels], classes: model.config.classes, seed: 2)
        let shard = Shard(communicator)
        let rows = shard.range(batch)
        let per = size * size * channels
        let part = Tensor(shape: [rows.count, size, size, channels])
        part.data.update(from: x.data + rows.lowerBound * per, count: rows.count * per)
        let partLabels = Array(labels[rows])
        let counting = communicator.map(CountingCommunicator.init)
        model.communicator = counting
        defer { model.communicator = nil }
        let optimizer = SGD(momentum: 0.9, weightDecay: 5e-4)
        let gradient = Tensor(shape: [0])
        func step() {
            model.arena.zeroGrads()
            let logits = model.forward(part, training: true)
            _ = CrossEntropyLoss()(logits, labels: partLabels, gradient: gradient, denominator: Double(batch))
            model.backward(gradient)
            counting?.allReduceSum(model.arena.grads, count: model.arena.count)
            optimizer.step(model.arena, learningRate: { _ in 0.01 }, trainable: model.isTrainable)
        }
        // Every rank runs the same number of steps: rank 0 decides when to stop.
        func keepGoing(_ flag: Bool) -> Bool { communicator?.agree(flag) ?? flag }
        step(); step()
        counting.map { $0.seconds = 0; $0.bytes = 0; $0.calls = 0 }
        var times: [Double] = []
        let end = now() + seconds
        while keepGoing(now() < end || times.count < 3) {
            let t = now(); step(); times.append(now() - t)
        }
        times.sort()
        let t = times[times.count / 2]
        var figures = [BenchFigure(name: name, value: Double(batch) / t, unit: "img/s"),
                       BenchFigure(name: name + "-step", value: t * 1000, unit: "ms")]
        guard let counting, let communicator else { return figures }
        let steps = Double(times.count)
        figures.append(BenchFigure(name: name + "-sums", value: Double(counting.calls) / steps, unit: "calls/step"))
        figures.append(BenchFigure(name: name + "-sum-bytes", value: Double(counting.bytes) / steps / 1e6, unit: "MB/step"))
        figures.append(BenchFigure(name: name + "-sum-time", value: counting.seconds / steps * 1000, unit: "ms/step"))
        // The fused gradient sum alone (the ranks start it together after a broadcast).
        var alone: [Double] = []
        for _ in 0..<max(5, min(50, Int(2 / max(t, 1e-3)))) {
            _ = communicator.agree(true)
            let s = now(); communicator.allReduceSum(model.arena.grads, count: model.arena.count); alone.append(now() - s)
        }
        alone.sort()
        figures.append(BenchFigure(name: name + "-grad-bytes", value: Double(4 * model.arena.count) / 1e6, unit: "MB"))
        figures.append(BenchFigure(name: name + "-grad-sum", value: alone[alone.count / 2] * 1000, unit: "ms"))
        return figures
    }
}
