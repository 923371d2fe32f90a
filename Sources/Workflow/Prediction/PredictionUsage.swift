import Foundation

/// How `usage` groups the prediction log.
public enum UsageGrouping: String, Sendable, CaseIterable {
    case byClass = "class", model, confidence, day, week
}

/// One group of log entries: its key (one or more columns) and what it holds.
public struct UsageRow: Sendable, Equatable {
    public var key: [String]
    public var count: Int
    /// Share of all entries, 0…1.
    public var share: Double
    public var meanConfidence: Double
    /// Earliest and latest time in the group (ISO 8601 strings compare in time order).
    public var first: String
    public var last: String
    /// Predictions of the group a person confirmed or corrected (unknown and discarded are not counted).
    public var verified: Int = 0
    /// Of those, the confirmed ones.
    public var correct: Int = 0

    /// Accuracy on the verified predictions; nil when none was verified.
    public var accuracy: Double? { verified > 0 ? Double(correct) / Double(verified) : nil }
    /// The 95% Wilson interval of that accuracy (wide when few were verified); nil when none was.
    public var accuracyInterval: ClosedRange<Double>? { wilsonInterval(correct: correct, of: verified) }
}

/// The prediction log summarised by one grouping.
public struct UsageSummary: Sendable, Equatable {
    public var keyColumns: [String]
    public var rows: [UsageRow]
    public var total: Int
    /// Verified predictions in all (the latest verdict per prediction, confirmed or corrected).
    public var verified: Int = 0
    public var correct: Int = 0
}

/// Confidence bands for `usage by=confidence`, lowest first; each includes its lower bound.
public let usageConfidenceBands: [(name: String, lower: Double)] = [
    ("under 50%", 0), ("50-70%", 0.5), ("70-90%", 0.7), ("90% and over", 0.9),
]

/// Below this many verified predictions an accuracy is rough; `usage` says so.
public let fewVerified = 30

/// Groups log entries by class, model (id and version), confidence band, day or ISO week, and
/// joins the verdicts: each verdict counts in the group of the prediction it judges (its
/// predicted class, model version, confidence band, and the day or week it was predicted), so a
/// group's accuracy is how often the model was right when it was used that way.
///
/// Classes and models come most used first (ties by name); confidence bands low to high,
/// including empty bands so the spread is visible; days and weeks in calendar order. A group
/// with verdicts but no logged prediction (a log that was cut) still appears.
public func summarizeUsage(_ entries: [PredictionLogEntry], verdicts: [VerdictLogEntry] = [], by grouping: UsageGrouping) -> UsageSummary {
    func band(_ c: Double) -> Int { usageConfidenceBands.lastIndex { c >= $0.lower } ?? 0 }
    let keyColumns: [String]
    let keyOf: (PredictionLogEntry) -> [String]
    switch grouping {
    case .byClass: keyColumns = ["class"]; keyOf = { [$0.label] }
    case .model: keyColumns = ["model", "version"]; keyOf = { [$0.model, String($0.version)] }
    case .confidence: keyColumns = ["confidence"]; keyOf = { [usageConfidenceBands[band($0.confidence)].name] }
    case .day: keyColumns = ["day"]; keyOf = { [$0.day] }
    case .week: keyColumns = ["week"]; keyOf = { [isoWeek($0.time)] }
    }
    var groups: [[String]: [PredictionLogEntry]] = [:]
    for e in entries { groups[keyOf(e), default: []].append(e) }
    var judged: [[String]: (verified: Int, correct: Int)] = [:]
    var verified = 0, correct = 0
    for v in latest(verdicts) {
        guard let right = v.isCorrect else { continue }
        let key = keyOf(v.prediction)
        judged[key, default: (0, 0)].verified += 1
        if right { judged[key, default: (0, 0)].correct += 1 }
        verified += 1
        if right { correct += 1 }
        if groups[key] == nil { groups[key] = [] }
    }
    if grouping == .confidence {
        for b in usageConfidenceBands where groups[[b.name]] == nil { groups[[b.name]] = [] }
    }
    let total = entries.count
    var rows = groups.map { key, members -> UsageRow in
        let times = members.map(\.time)
        var row = UsageRow(key: key, count: members.count, share: total > 0 ? Double(members.count) / Double(total) : 0,
                           meanConfidence: members.isEmpty ? 0 : members.map(\.confidence).reduce(0, +) / Double(members.count),
                           first: times.min() ?? "", last: times.max() ?? "")
        if let j = judged[key] { row.verified = j.verified; row.correct = j.correct }
        return row
    }
    switch grouping {
    case .byClass:
        rows.sort { $0.count != $1.count ? $0.count > $1.count : $0.key.lexicographicallyPrecedes($1.key) }
    case .model:
        // Versions of one model stay together, oldest first; models by first use.
        let firstUse = Dictionary(grouping: rows, by: { $0.key[0] }).mapValues { $0.map(\.first).filter { !$0.isEmpty }.min() ?? "" }
        rows.sort { a, b in
            if a.key[0] != b.key[0] { return (firstUse[a.key[0]]!, a.key[0]) < (firstUse[b.key[0]]!, b.key[0]) }
            return (Int(a.key[1]) ?? 0) < (Int(b.key[1]) ?? 0)
        }
    case .confidence:
        let order = Dictionary(uniqueKeysWithValues: usageConfidenceBands.enumerated().map { ($1.name, $0) })
        rows.sort { order[$0.key[0], default: 0] < order[$1.key[0], default: 0] }
    case .day, .week:
        rows.sort { $0.key.lexicographicallyPrecedes($1.key) }
    }
    return UsageSummary(keyColumns: keyColumns, rows: rows, total: total, verified: verified, correct: correct)
}

/// The ISO 8601 week of a log time ("2026-W48"), in UTC; weeks start on Monday.
public func isoWeek(_ time: String) -> String {
    guard let date = parseLogTime(time) else { return String(time.prefix(10)) }
    var calendar = Calendar(identifier: .iso8601)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let c = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
    let week = c.weekOfYear ?? 0
    return "\(c.yearForWeekOfYear ?? 0)-W\(week < 10 ? "0" : "")\(week)"
}

/// A log time ("2026-11-22T12:00:05Z") as a date; nil when it is not one.
public func parseLogTime(_ time: String) -> Date? {
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.date(from: time)
}

/// The 95% Wilson score interval of `correct` successes out of `n`: honest for small n, where
/// the plain ± interval would claim 100% ± 0 for 3 out of 3.
public func wilsonInterval(correct: Int, of n: Int) -> ClosedRange<Double>? {
    guard n > 0 else { return nil }
    let z = 1.959964, nn = Double(n), p = Double(correct) / nn
    let centre = (p + z * z / (2 * nn)) / (1 + z * z / nn)
    let half = z * (p * (1 - p) / nn + z * z / (4 * nn * nn)).squareRoot() / (1 + z * z / nn)
    return max(0, centre - half)...min(1, centre + half)
}

/// Verified predictions in confidence bins for a reliability diagram: per bin, how many, how
/// many right, and their mean confidence.
public struct ReliabilityBin: Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    public var count: Int
    public var correct: Int
    public var meanConfidence: Double
    public var accuracy: Double? { count > 0 ? Double(correct) / Double(count) : nil }
}

/// The latest verdicts (confirmed or corrected) in `bins` equal confidence bins from 0 to 1.
public func reliabilityBins(_ verdicts: [VerdictLogEntry], bins: Int = 10) -> [ReliabilityBin] {
    var out = (0..<bins).map { ReliabilityBin(lower: Double($0) / Double(bins), upper: Double($0 + 1) / Double(bins), count: 0, correct: 0, meanConfidence: 0) }
    var sums = [Double](repeating: 0, count: bins)
    for v in latest(verdicts) {
        guard let right = v.isCorrect else { continue }
        let c = min(max(v.prediction.confidence, 0), 1)
        let b = min(bins - 1, Int(c * Double(bins)))
        out[b].count += 1
        if right { out[b].correct += 1 }
        sums[b] += c
    }
    for b in 0..<bins where out[b].count > 0 { out[b].meanConfidence = sums[b] / Double(out[b].count) }
    return out
}
