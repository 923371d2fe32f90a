import XCTest
import LoupeMPI
import NeuralNet
import TensorCore
@testable import Workflow
import LoupeBase

/// One training step on N ranks against one process on the same global batch (Done-when 1 of
/// issue 18): gradients, loss and BatchNorm's running statistics within 1e-5 relative.
///
/// Run alone (swift test), the test starts this test binary again under `mpirun -np 2` and checks
/// that both ranks passed; under mpirun each rank computes the one-process reference itself (the
/// whole batch, no communicator) and compares it with the step made together.
final class DataParallelStepTests: XCTestCase {
    func testOneStepOnTheRanksEqualsOneProcess() throws {
        guard MPICommunicator.isLaunchedByMPI else { return runUnderMPI("DataParallelTests.DataParallelStepTests/testOneStepOnTheRanksEqualsOneProcess", ranks: 2) }
        let group = try XCTUnwrap(MPICommunicator.start(), "MPI did not start")
        defer { group.finish() }
        XCTAssertGreaterThan(group.size, 1, "needs 2 ranks or more")
        // (global batch, class weights, hidden units): even and uneven splits, weighted loss, a
        // batch smaller than the ranks (a rank with no rows still takes part in every sum), and a
        // head with dropout (each row must get one process's mask, whichever rank holds it).
        let cases: [(batch: Int, weights: [Float]?, hidden: Int?)] = [
            (16, nil, nil), (15, (0..<10).map { 0.5 + Float($0) / 10 }, nil), (1, nil, nil), (15, nil, 32)]
        for (batch, weights, hidden) in cases {
            let config = try ResNetConfig.resnet(depth: 20, classes: 10, inputChannels: 1, hidden: hidden, dropout: 0.5)
            let reference = ResNet(config, seed: 3)
            let parallel = ResNet(config, seed: 3)
            var rng = SeededGenerator(seed: 11)
            let x = Tensor(shape: [batch, 28, 28, 1])
            for i in 0..<x.count { x[i] = rng.nextNormal() }
            let labels = (0..<batch).map { _ in rng.nextInt(below: 10) }
            let loss = CrossEntropyLoss(classWeights: weights)

            let one = TrainingStep(model: reference, communicator: nil, loss: loss)
            let expected = one.forward(Batch(images: x, labels: labels, indices: Array(0..<batch)))
            one.backward()

            let rows = Shard(group).range(batch)
            let per = 28 * 28
            let part = Tensor(shape: [rows.count, 28, 28, 1])
            part.data.update(from: x.data + rows.lowerBound * per, count: rows.count * per)
            parallel.communicator = group
            let many = TrainingStep(model: parallel, communicator: group, loss: loss)
            let got = many.forward(Batch(images: part, labels: Array(labels[rows]), indices: Array(rows)))
            many.backward()
            parallel.communicator = nil

            let what = "batch \(batch)\(weights == nil ? "" : ", class weights")\(hidden == nil ? "" : ", head dropout"), rank \(group.rank) of \(group.size)"
            if hidden != nil {
                // The mask generators moved on by the same draws: the next step's masks agree too.
                var a = try XCTUnwrap(reference.dropoutGenerator), b = try XCTUnwrap(parallel.dropoutGenerator)
                XCTAssertEqual(a.next(), b.next(), "dropout generator after the step, \(what)")
            }
            XCTAssertEqual(got.count, batch, what)
            XCTAssertEqual(got.correct, expected.correct, what)
            XCTAssertLessThanOrEqual(abs(got.loss - expected.loss), 1e-5 * abs(expected.loss), "loss \(got.loss) vs \(expected.loss), \(what)")
            // Per parameter tensor: max |Δ| over max |g| (the tolerance of issue 18).
            var worst = (name: "", relative: 0.0, at: 0, got: Float(0), want: Float(0))
            for e in reference.arena.entries {
                let g = reference.arena.gradsArray(e), h = parallel.arena.gradsArray(e)
                let scale = Double(g.map { abs($0) }.max() ?? 0)
                guard scale > 0 else { XCTAssertEqual(h.map { abs($0) }.max() ?? 0, 0, "\(e.name), \(what)"); continue }
                for i in g.indices {
                    let r = Double(abs(g[i] - h[i])) / scale
                    if r > worst.relative { worst = (e.name, r, i, h[i], g[i]) }
                }
            }
            XCTAssertLessThanOrEqual(worst.relative, 1e-5,
                                     "\(what): gradient of \(worst.name)[\(worst.at)] is \(worst.got), one process gives \(worst.want) (relative \(worst.relative))")
            print("rank \(group.rank): \(what): worst gradient difference \(worst.relative) relative (\(worst.name))")
            for (a, b) in zip(reference.norms, parallel.norms) {
                for (u, v) in zip(a.runningMean + a.runningVar, b.runningMean + b.runningVar) {
                    XCTAssertLessThanOrEqual(abs(u - v), 1e-5 * max(1, abs(u)), "\(a.name) running statistics, \(what)")
                }
            }
        }
    }
}
