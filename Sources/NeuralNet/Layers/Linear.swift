import TensorCore
import LoupeBase

// Shapes: x [N, I], weight [O, I] (PyTorch's layout), bias [O], y [N, O].
//   y = x·Wᵀ + b;  dW += dyᵀ·x;  db += Σₙ dy;  dx = dy·W.

/// A fully connected layer.
public final class Linear {
    public let inFeatures: Int, outFeatures: Int
    public let name: String
    let arena: ParameterArena
    public let weightOffset: Int, biasOffset: Int
    public var trainable = true
    public var needsInputGradient = true
    private var input: Tensor?
    public let output = Tensor(shape: [0])
    private let inputGrad = Tensor(shape: [0])

    public init(_ name: String, _ inFeatures: Int, _ outFeatures: Int, arena: ParameterArena, isHead: Bool = true) {
        self.name = name
        self.inFeatures = inFeatures; self.outFeatures = outFeatures
        self.arena = arena
        weightOffset = arena.register("\(name).weight", shape: [outFeatures, inFeatures], role: .linearWeight, isHead: isHead)
        biasOffset = arena.register("\(name).bias", shape: [outFeatures], role: .bias, isHead: isHead)
    }

    /// PyTorch's default: weight and bias uniform in ±1/√in_features.
    public func initialize(_ rng: inout SeededGenerator) {
        let bound = 1 / Float(inFeatures).squareRoot()
        let w = arena.values + weightOffset, b = arena.values + biasOffset
        for i in 0..<(outFeatures * inFeatures) { w[i] = (rng.nextFloat() * 2 - 1) * bound }
        for i in 0..<outFeatures { b[i] = (rng.nextFloat() * 2 - 1) * bound }
    }

    public func forward(_ x: Tensor) -> Tensor {
        precondition(x.shape.count == 2 && x.shape[1] == inFeatures, "\(name): expected [N, \(inFeatures)], got \(x.shape)")
        input = x
        let n = x.shape[0]
        output.resize(to: [n, outFeatures])
        // Row by row (`gemvRows`): an image's logits do not depend on the batch it came in.
        gemvRows(.none, rows: n, m: outFeatures, n: inFeatures, w: arena.values + weightOffset, ldw: inFeatures,
                 x: x.data, ldx: inFeatures, y: output.data, ldy: outFeatures)
        let b = arena.values + biasOffset, y = output.data, o = outFeatures
        for r in 0..<n { for j in 0..<o { y[r * o + j] += b[j] } }
        return output
    }

    @discardableResult
    public func backward(_ dy: Tensor) -> Tensor? {
        guard let x = input else { preconditionFailure("\(name): backward before forward") }
        let n = x.shape[0], o = outFeatures, i = inFeatures
        if trainable {
            gemm(.transposed, .none, m: o, n: i, k: n, a: dy.data, lda: o, b: x.data, ldb: i,
                 beta: 1, c: arena.grads + weightOffset, ldc: i)
            let db = arena.grads + biasOffset
            for j in 0..<o {
                var s: Double = 0
                for r in 0..<n { s += Double(dy.data[r * o + j]) }
                db[j] += Float(s)
            }
        }
        guard needsInputGradient else { return nil }
        inputGrad.resize(to: [n, i])
        gemvRows(.transposed, rows: n, m: o, n: i, w: arena.values + weightOffset, ldw: i,
                 x: dy.data, ldx: o, y: inputGrad.data, ldy: i)
        return inputGrad
    }
}
