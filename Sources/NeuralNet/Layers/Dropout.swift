import TensorCore
import LoupeBase

// Shapes: any. Inverted dropout: in training y = x·m with m = 1/(1−p) kept or 0 dropped,
// so evaluation is the identity; dx = dy·m.

/// Inverted dropout with a seeded mask.
public final class Dropout {
    public let probability: Float
    /// The mask generator: part of a training checkpoint, so a resumed run draws the same masks.
    public var rng: SeededGenerator
    private var mask: [Float] = []
    private var active = false
    public let output = Tensor(shape: [0])
    private let inputGrad = Tensor(shape: [0])

    public init(probability: Float, seed: UInt64) {
        precondition(probability >= 0 && probability < 1, "dropout probability must be in [0, 1)")
        self.probability = probability
        rng = SeededGenerator(seed: seed, stream: 0xD0)
    }

    /// `rows`: where `x`'s rows sit in the global batch when ranks split it (`nil`: x is the whole
    /// batch). Every rank draws the masks of the whole global batch, in row order, and keeps its
    /// rows' part: each row gets the mask one process gives it, and every rank's generator moves
    /// on by the same draws.
    public func forward(_ x: Tensor, training: Bool, rows: (offset: Int, total: Int)? = nil) -> Tensor {
        active = training && probability > 0
        guard active else { return x }
        output.resize(to: x.shape)
        if mask.count < x.count { mask = [Float](repeating: 0, count: x.count) }
        let keep = 1 / (1 - probability)
        let perRow = x.shape.dropFirst().reduce(1, *)
        let before = (rows?.offset ?? 0) * perRow
        let after = rows.map { ($0.total - $0.offset) * perRow - x.count } ?? 0
        for _ in 0..<before { _ = rng.nextFloat() }
        for i in 0..<x.count { mask[i] = rng.nextFloat() >= probability ? keep : 0 }
        for _ in 0..<max(0, after) { _ = rng.nextFloat() }
        for i in 0..<x.count { output.data[i] = x.data[i] * mask[i] }
        return output
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard active else { return dy }
        inputGrad.resize(to: dy.shape)
        for i in 0..<dy.count { inputGrad.data[i] = dy.data[i] * mask[i] }
        return inputGrad
    }
}
