import TensorCore
import NeuralNet
import Datasets

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

extension PredictionRecord: Codable {
    private enum Keys: String, CodingKey { case index, label, predicted, confidence, classes, probabilities }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let classes = try c.decode([Int].self, forKey: .classes), probabilities = try c.decode([Double].self, forKey: .probabilities)
        self.init(index: try c.decode(Int.self, forKey: .index), label: try c.decodeIfPresent(Int.self, forKey: .label),
                  predicted: try c.decode(Int.self, forKey: .predicted), confidence: try c.decode(Double.self, forKey: .confidence),
                  top: Array(zip(classes, probabilities)))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(index, forKey: .index)
        try c.encodeIfPresent(label, forKey: .label)
        try c.encode(predicted, forKey: .predicted)
        try c.encode(confidence, forKey: .confidence)
        try c.encode(top.map(\.0), forKey: .classes)
        try c.encode(top.map(\.1), forKey: .probabilities)
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
/// With a communicator each rank decodes and runs its rows of every batch; the predictions are
/// gathered on every rank in the one-process order, and the metrics computed from them.
public func evaluate(_ model: ResNet, on source: BatchSource, batchSize: Int = 128, topK: Int = 3,
                     communicator: Communicator? = nil, shouldStop: () -> Bool = { false }) throws -> EvaluationResult {
    guard source.count > 0 else { throw WorkflowError.noData("nothing to evaluate: the split is empty") }
    let k = model.config.classes
    try ClassMatch.checkCount(model: k, data: source.classCount)
    var confusion = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
    var lossSum = 0.0
    var predictions: [PredictionRecord] = []
    var topHits = [Int](repeating: 0, count: min(5, k) + 1)
    var ranks: [[Int]] = []
    for batch in source.evaluationBatches(batchSize: batchSize, shard: Shard(communicator)) {
        if communicator?.agree(shouldStop()) ?? shouldStop() { throw WorkflowError.interrupted("evaluation interrupted") }
        if batch.labels.isEmpty { continue }
        let logits = model.forward(batch.images, training: false)
        lossSum += Double(CrossEntropyLoss()(logits, labels: batch.labels)) * Double(batch.labels.count)
        for (r, probs) in softmaxRows(logits).enumerated() {
            let ranked = probs.indices.sorted { probs[$0] != probs[$1] ? probs[$0] > probs[$1] : $0 < $1 }
            let label = batch.labels[r]
            ranks.append(ranked)
            predictions.append(PredictionRecord(index: batch.indices[r], label: label, predicted: ranked[0], confidence: probs[ranked[0]],
                                                top: ranked.prefix(topK).map { ($0, probs[$0]) }))
        }
    }
    if let communicator, communicator.size > 1 {
        lossSum = communicator.allReduceSum([lossSum])[0]
        // Where the true class stands among the ranked classes, for top-k (−1: beyond them).
        struct Row: Codable { let record: PredictionRecord; let labelRank: Int }
        // Each rank holds its rows of every batch; evaluation goes in index order, so sorting by
        // index is the one-process order.
        let rows = communicator.allGather(zip(predictions, ranks).map { Row(record: $0, labelRank: $1.firstIndex(of: $0.label ?? -1) ?? -1) })
            .sorted { $0.record.index < $1.record.index }
        predictions = rows.map(\.record)
        for row in rows {
            let label = row.record.label!
            confusion[label][row.record.predicted] += 1
            if row.labelRank >= 0 { for j in 1..<topHits.count where row.labelRank < j { topHits[j] += 1 } }
        }
    } else {
        for (record, ranked) in zip(predictions, ranks) {
            let label = record.label!
            confusion[label][ranked[0]] += 1
            if let rank = ranked.firstIndex(of: label) { for j in 1..<topHits.count where rank < j { topHits[j] += 1 } }
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
