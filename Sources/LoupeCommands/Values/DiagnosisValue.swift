import LoupeLang
import Workflow

/// What the loss curves of a run say (`diagnose run`): a verdict, its evidence and remedies.
public final class DiagnosisValue: LoupeObject {
    public let diagnosis: Diagnosis
    /// "run 2", "run-2".
    public let runName: String

    public init(_ diagnosis: Diagnosis, runName: String) {
        self.diagnosis = diagnosis
        self.runName = runName
    }

    public var kind: String { "diagnosis" }
    public var summary: String { "diagnosis of \(runName): \(diagnosis.verdict.rawValue)" }
    public var attributeNames: [String] { ["verdict", "evidence", "remedies"] }

    public func attribute(named name: String) -> Value? {
        switch name {
        case "verdict": return .string(diagnosis.verdict.rawValue)
        case "evidence": return .list(diagnosis.evidence.map { .string($0) })
        case "remedies": return .list(diagnosis.remedies.map { .string($0.text) })
        default: return nil
        }
    }

    /// The verdict, then the evidence and the remedies as indented lists: what `diagnose` prints.
    public var text: String {
        var lines = ["verdict: \(diagnosis.verdict.rawValue)", "evidence:"]
        lines += diagnosis.evidence.map { "  - \($0)" }
        lines.append("what to try:")
        lines += diagnosis.remedies.map { "  - \($0.text)" }
        return lines.joined(separator: "\n")
    }
}

extension DiagnosisValue {
    /// `help diagnosis`: the kind and the attributes it answers (KindDocTests compares them with `attributeNames`).
    public static var kindDoc: KindDoc {
        KindDoc(kind: "diagnosis", summary: "what a run's loss curves say (diagnose run)", attributes: [
            ("verdict", "underfitting, overfitting, healthy or undetermined"), ("evidence", "what the curves show, in words"),
            ("remedies", "what to try next"),
        ])
    }
}
