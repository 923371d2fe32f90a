import LoupeLang
import Workflow

/// The prediction log summarised (`u = usage "LOG" by=…`): the table, and the log behind it for `plot`.
public final class UsageValue: LoupeObject {
    public let contents: PredictionLogContents
    public let grouping: UsageGrouping
    public let path: String
    public let summaryTable: UsageSummary
    /// Classes in the log that the model given as `model=` does not know (empty without one).
    public var classesNotInModel: [String] = []

    public init(contents: PredictionLogContents, grouping: UsageGrouping, path: String) {
        self.contents = contents
        self.grouping = grouping
        self.path = path
        self.summaryTable = summarizeUsage(contents.predictions, verdicts: contents.verdicts, by: grouping)
    }

    public var kind: String { "usage" }

    public static var kindDoc: KindDoc { KindDoc(kind: "usage", summary: "the prediction log summarised (usage \"LOG\" by=…)", attributes: [
        ("table", "the group, predictions, share, mean_confidence, verified, accuracy, accuracy_low, accuracy_high, first, last"),
        ("count", "predictions in the log"),
        ("verified", "predictions a person confirmed or corrected"),
        ("accuracy", "confirmed / verified over the whole log; none when nothing was verified"),
        ("by", "the grouping"),
        ("missing_classes", "classes of the log that model= does not know"),
    ]) }

    public var summary: String {
        let s = summaryTable
        var text = "usage by \(grouping.rawValue): \(counted(s.total, "prediction")), \(counted(s.rows.count, "group"))"
        text += s.verified > 0 ? ", \(s.verified) verified, accuracy \(percent(Double(s.correct) / Double(s.verified)))" : ", none verified"
        return text
    }

    public var attributeNames: [String] { ["table", "count", "verified", "accuracy", "by", "missing_classes"] }

    public func attribute(named name: String) -> Value? {
        switch name {
        case "table": return .table(usageTable)
        case "count": return .integer(summaryTable.total)
        case "verified": return .integer(summaryTable.verified)
        case "accuracy": return summaryTable.verified > 0 ? .number(Double(summaryTable.correct) / Double(summaryTable.verified)) : Value.none
        case "by": return .string(grouping.rawValue)
        case "missing_classes": return .list(classesNotInModel.map { .string($0) })
        default: return nil
        }
    }

    public var table: Table? { usageTable }

    /// One row per group; accuracy and its interval are empty where nothing was verified.
    public var usageTable: Table {
        let s = summaryTable
        return Table(columns: s.keyColumns + ["predictions", "share", "mean_confidence", "verified", "accuracy", "accuracy_low", "accuracy_high", "first", "last"],
                     rows: s.rows.map { r in
            let interval = r.accuracyInterval
            return r.key.map { Value.string($0) } + [
                .integer(r.count), .number(r.share), r.count > 0 ? .number(r.meanConfidence) : .none,
                .integer(r.verified), r.accuracy.map { .number($0) } ?? .none,
                interval.map { .number($0.lowerBound) } ?? .none, interval.map { .number($0.upperBound) } ?? .none,
                .string(r.first), .string(r.last),
            ]
        })
    }
}
