import LoupeLang
import Workflow

/// What `verify p "DIR"` found: a verdict per re-filed image, and the files it could not use.
public final class VerificationValue: LoupeObject {
    public let outcome: VerificationOutcome
    public let folder: String
    /// The log the verdicts were appended to.
    public let log: String

    public init(outcome: VerificationOutcome, folder: String, log: String) {
        self.outcome = outcome
        self.folder = folder
        self.log = log
    }

    public var kind: String { "verification" }

    public static var kindDoc: KindDoc { KindDoc(kind: "verification", summary: "a person's verdicts on predictions, read from a re-filed folder (verify)", attributes: [
        ("confirmed", "images filed under the predicted class"),
        ("corrected", "images filed under another class (the prediction was wrong)"),
        ("unknown", "images put into unknown/"),
        ("discarded", "images put into discard/"),
        ("unmatched", "image files that match no prediction (a list)"),
        ("accuracy", "confirmed / (confirmed + corrected); none when nothing was decided"),
        ("table", "status, images"),
        ("pairs", "the corrections: predicted, true, images (most frequent first)"),
        ("corrected_files", "the corrected images' paths (copy v \"DIR\" files them by true class)"),
    ]) }

    var decided: Int { outcome.count(.confirmed) + outcome.count(.corrected) }
    var accuracy: Double? { decided > 0 ? Double(outcome.count(.confirmed)) / Double(decided) : nil }

    public var summary: String {
        var parts = ["verification: \(counted(outcome.verdicts.count, "image")) from \(folder)",
                     "\(outcome.count(.confirmed)) confirmed", "\(outcome.count(.corrected)) corrected"]
        if outcome.count(.unknown) > 0 { parts.append("\(outcome.count(.unknown)) unknown") }
        if outcome.count(.discarded) > 0 { parts.append("\(outcome.count(.discarded)) discarded") }
        if let a = accuracy { parts.append("accuracy \(percent(a)) of \(decided)") }
        if !outcome.unmatched.isEmpty { parts.append("\(outcome.unmatched.count) unmatched") }
        return parts.joined(separator: ", ")
    }

    public var attributeNames: [String] { ["confirmed", "corrected", "unknown", "discarded", "unmatched", "accuracy", "table", "pairs", "corrected_files"] }

    public func attribute(named name: String) -> Value? {
        switch name {
        case "confirmed": return .integer(outcome.count(.confirmed))
        case "corrected": return .integer(outcome.count(.corrected))
        case "unknown": return .integer(outcome.count(.unknown))
        case "discarded": return .integer(outcome.count(.discarded))
        case "unmatched": return .list(outcome.unmatched.map { .string($0) })
        case "accuracy": return accuracy.map { .number($0) } ?? Value.none
        case "table": return .table(statusTable)
        case "pairs": return .table(pairsTable)
        case "corrected_files": return .list(outcome.verdicts.filter { $0.verdict == .corrected }.map { .string($0.file) })
        default: return nil
        }
    }

    public var table: Table? { statusTable }

    public var statusTable: Table {
        Table(columns: ["status", "images"], rows: Verdict.allCases.map { [.string($0.rawValue), .integer(outcome.count($0))] })
    }

    public var pairsTable: Table {
        Table(columns: ["predicted", "true", "images"], rows: outcome.correctedPairs.map { [.string($0.predicted), .string($0.truth), .integer($0.count)] })
    }
}
