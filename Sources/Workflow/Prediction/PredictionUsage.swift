/// How `usage` groups the prediction log.
public enum UsageGrouping: String, Sendable, CaseIterable {
    case byClass = "class", model, confidence, day
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
}

/// The prediction log summarised by one grouping.
public struct UsageSummary: Sendable, Equatable {
    public var keyColumns: [String]
    public var rows: [UsageRow]
    public var total: Int
}

/// Confidence bands for `usage by=confidence`, lowest first; each includes its lower bound.
public let usageConfidenceBands: [(name: String, lower: Double)] = [
    ("under 50%", 0), ("50-70%", 0.5), ("70-90%", 0.7), ("90% and over", 0.9),
]

/// Groups log entries by class, model (id and version), confidence band or day.
///
/// Classes and models come most used first (ties by name); confidence bands low to high,
/// including empty bands so the spread is visible; days in calendar order.
public func summarizeUsage(_ entries: [PredictionLogEntry], by grouping: UsageGrouping) -> UsageSummary {
    func band(_ c: Double) -> Int { usageConfidenceBands.lastIndex { c >= $0.lower } ?? 0 }
    let keyColumns: [String]
    let keyOf: (PredictionLogEntry) -> [String]
    switch grouping {
    case .byClass: keyColumns = ["class"]; keyOf = { [$0.label] }
    case .model: keyColumns = ["model", "version"]; keyOf = { [$0.model, String($0.version)] }
    case .confidence: keyColumns = ["confidence"]; keyOf = { [usageConfidenceBands[band($0.confidence)].name] }
    case .day: keyColumns = ["day"]; keyOf = { [$0.day] }
    }
    var groups: [[String]: [PredictionLogEntry]] = [:]
    for e in entries { groups[keyOf(e), default: []].append(e) }
    if grouping == .confidence {
        for b in usageConfidenceBands where groups[[b.name]] == nil { groups[[b.name]] = [] }
    }
    let total = entries.count
    var rows = groups.map { key, members -> UsageRow in
        let times = members.map(\.time)
        return UsageRow(key: key, count: members.count, share: total > 0 ? Double(members.count) / Double(total) : 0,
                        meanConfidence: members.isEmpty ? 0 : members.map(\.confidence).reduce(0, +) / Double(members.count),
                        first: times.min() ?? "", last: times.max() ?? "")
    }
    switch grouping {
    case .byClass, .model:
        rows.sort { $0.count != $1.count ? $0.count > $1.count : $0.key.lexicographicallyPrecedes($1.key) }
    case .confidence:
        let order = Dictionary(uniqueKeysWithValues: usageConfidenceBands.enumerated().map { ($1.name, $0) })
        rows.sort { order[$0.key[0], default: 0] < order[$1.key[0], default: 0] }
    case .day:
        rows.sort { $0.key.lexicographicallyPrecedes($1.key) }
    }
    return UsageSummary(keyColumns: keyColumns, rows: rows, total: total)
}
