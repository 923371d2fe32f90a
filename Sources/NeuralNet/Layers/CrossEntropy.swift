import TensorCore

#if canImport(Glibc)
import Glibc
#endif

// Shapes: logits [N, K], labels [N] in 0..<K, class weights w [K] (all 1 when absent).
// With p = softmax(logits), smoothing ε and target y:
//   lossₙ = (1 − ε)·w[y]·(−log p[y]) + (ε/K)·Σₖ w[k]·(−log p[k])
//   loss  = Σₙ lossₙ / Σₙ w[yₙ]                      (PyTorch's mean: divide by the target weights)
//   dlogitsₙ = ((1 − ε)·w[y]·(p − e_y) + (ε/K)·((Σₖ w[k])·p − w)) / Σₙ w[yₙ]

/// Softmax cross-entropy with optional class weights and label smoothing, PyTorch's mean semantics.
public struct CrossEntropyLoss: Sendable {
    public var classWeights: [Float]?
    public var labelSmoothing: Float

    public init(classWeights: [Float]? = nil, labelSmoothing: Float = 0) {
        self.classWeights = classWeights
        self.labelSmoothing = labelSmoothing
    }

    /// Σₙ w[yₙ], the mean's denominator, for `labels` among `classes`.
    public func targetWeightSum(_ labels: [Int], classes: Int) -> Double {
        guard let w = classWeights else { return Double(labels.count) }
        return labels.reduce(0.0) { $0 + Double(w[$1]) }
    }

    /// Returns the loss; writes d loss / d logits into `gradient` when given. `denominator`
    /// replaces Σₙ w[yₙ] of these rows: data-parallel ranks each hold part of a batch and divide
    /// by the whole batch's sum, so their losses and gradients add up to the batch's.
    public func callAsFunction(_ logits: Tensor, labels: [Int], gradient: Tensor? = nil, denominator given: Double? = nil) -> Float {
        let n = logits.shape[0], k = logits.shape[1]
        precondition(labels.count == n, "\(labels.count) labels for \(n) rows")
        let w = classWeights ?? [Float](repeating: 1, count: k)
        precondition(w.count == k, "\(w.count) class weights for \(k) classes")
        let eps = Double(labelSmoothing)
        let weightSum = w.reduce(0.0) { $0 + Double($1) }
        let denominator = given ?? labels.reduce(0.0) { $0 + Double(w[$1]) }
        gradient?.resize(to: [n, k])
        var total = 0.0
        var p = [Double](repeating: 0, count: k)
        for r in 0..<n {
            let row = logits.data + r * k, y = labels[r]
            precondition(y >= 0 && y < k, "label \(y) outside 0..<\(k)")
            var maxv = -Double.infinity
            for j in 0..<k { maxv = max(maxv, Double(row[j])) }
            var z = 0.0
            for j in 0..<k { p[j] = exp(Double(row[j]) - maxv); z += p[j] }
            let logZ = log(z) + maxv
            var smooth = 0.0
            for j in 0..<k { p[j] /= z; smooth += Double(w[j]) * (logZ - Double(row[j])) }
            total += (1 - eps) * Double(w[y]) * (logZ - Double(row[y])) + eps / Double(k) * smooth
            if let g = gradient {
                let gr = g.data + r * k
                for j in 0..<k {
                    let hard = (1 - eps) * Double(w[y]) * (p[j] - (j == y ? 1 : 0))
                    let soft = eps / Double(k) * (weightSum * p[j] - Double(w[j]))
                    gr[j] = Float((hard + soft) / denominator)
                }
            }
        }
        return Float(total / denominator)
    }
}
