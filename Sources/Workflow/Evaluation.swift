import TensorCore
import NeuralNet

#if canImport(Glibc)
import Glibc
#endif

/// One image's prediction, for mistakes and prediction tables.
public struct PredictionRecord: Sendable, Equatable {
    public let index: Int
    public let label: Int?
    public let predicted: Int
    public let confidence: Double
    /// Classes by decreasing probability with their probabilities (top k).
    public let top: [(Int, Double)]

    public static func == (a: Self, b: Self) -> Bool {
        a.index == b.index && a.label == b.label && a.predicted == b.predicted && a.confidence == b.confidence
    }
}

/// Metrics of a model on a labelled split.
public struct EvaluationResult: Sendable {
    public let loss: Double
    public let accuracy: Double
    public let precision: [Double]
    public let recall: [Double]
    public let f1: [Double]
    public let macroF1: Double
    /// confusion[true][predicted] counts.
    public let confusion: [[Int]]
    /// Accuracy with the label among the k most probable classes, for k = 1...min(5, classes).
    public let topK: [Int: Double]
    public let predictions: [PredictionRecord]
    public let count: Int

    /// The most confidently wrong predictions first.
    public func mistakes(limit: Int) -> [PredictionRecord] {
        predictions.filter { $0.label != $0.predicted }.sorted { $0.confidence > $1.confidence }.prefix(limit).map { $0 }
    }

    /// Off-diagonal (true, predicted, count) pairs, most frequent first.
    public func confusedPairs(limit: Int) -> [(trueClass: Int, predicted: Int, count: Int)] {
        var pairs: [(Int, Int, Int)] = []
        for (t, row) in confusion.enumerated() { for (p, n) in row.enumerated() where t != p && n > 0 { pairs.append((t, p, n)) } }
        return pairs.sorted { $0.2 != $1.2 ? $0.2 > $1.2 : ($0.0, $0.1) < ($1.0, $1.1) }.prefix(limit).map { (trueClass: $0.0, predicted: $0.1, count: $0.2) }
    }
}

/// Softmax probabilities of each row of `logits` [N, K].
public func softmaxRows(_ logits: Tensor) -> [[Double]] {
    let n = logits.shape[0], k = logits.shape[1]
    return (0..<n).map { r in
        let row = logits.data + r * k
        var m = -Double.infinity
        for j in 0..<k { m = max(m, Double(row[j])) }
        let e = (0..<k).map { exp(Double(row[$0]) - m) }
        let z = e.reduce(0, +)
        return e.map { $0 / z }
    }
}

/// Runs the model in evaluation mode over every image of `source` and computes the metrics.
public func evaluate(_ model: ResNet, on source: BatchSource, batchSize: Int = 128, topK: Int = 3,
                     shouldStop: () -> Bool = { false }) throws -> EvaluationResult {
    guard source.count > 0 else { throw WorkflowError.noData("nothing to evaluate: the split is empty") }
    let k = model.config.classes
    guard source.classCount == k else {
        throw WorkflowError.mismatch("the model has \(k) outputs but the data has \(source.classCount) classes")
    }
    var confusion = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
    var lossSum = 0.0
    var predictions: [PredictionRecord] = []
    var topHits = [Int](repeating: 0, count: min(5, k) + 1)
    for batch in source.evaluationBatches(batchSize: batchSize) {
        if shouldStop() { throw WorkflowError.interrupted("evaluation interrupted") }
        let logits = model.forward(batch.images, training: false)
        lossSum += Double(CrossEntropyLoss()(logits, labels: batch.labels)) * Double(batch.labels.count)
        for (r, probs) in softmaxRows(logits).enumerated() {
            let ranked = probs.indices.sorted { probs[$0] != probs[$1] ? probs[$0] > probs[$1] : $0 < $1 }
            let label = batch.labels[r]
            confusion[label][ranked[0]] += 1
            if let rank = ranked.firstIndex(of: label) { for j in 1..<topHits.count where rank < j { topHits[j] += 1 } }
            predictions.append(PredictionRecord(index: batch.indices[r], label: label, predicted: ranked[0], confidence: probs[ranked[0]],
                                                top: ranked.prefix(topK).map { ($0, probs[$0]) }))
        }
    }
    let n = predictions.count
    var precision: [Double] = [], recall: [Double] = [], f1: [Double] = []
    for c in 0..<k {
        let tp = Double(confusion[c][c])
        let predicted = Double((0..<k).reduce(0) { $0 + confusion[$1][c] })
        let actual = Double(confusion[c].reduce(0, +))
        let p = predicted > 0 ? tp / predicted : 0, r = actual > 0 ? tp / actual : 0
        precision.append(p); recall.append(r); f1.append(p + r > 0 ? 2 * p * r / (p + r) : 0)
    }
    var top: [Int: Double] = [:]
    for j in 1..<topHits.count { top[j] = Double(topHits[j]) / Double(n) }
    return EvaluationResult(loss: lossSum / Double(n), accuracy: Double((0..<k).reduce(0) { $0 + confusion[$1][$1] }) / Double(n),
                            precision: precision, recall: recall, f1: f1, macroF1: f1.reduce(0, +) / Double(k),
                            confusion: confusion, topK: top, predictions: predictions, count: n)
}
