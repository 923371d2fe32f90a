import LoupeLang
import Workflow

/// The verdict of `overfit m d`: can the model learn a handful of images perfectly?
public final class OverfitValue: LoupeObject {
    public let report: OverfitReport

    public init(_ report: OverfitReport) { self.report = report }

    public var kind: String { "overfit" }

    public var summary: String {
        let r = report
        return "overfit \(r.passed ? "passed" : "FAILED"): \(r.images) images, \(r.steps) steps, training loss \(fmt(r.firstLoss)) → \(fmt(r.finalTrainingLoss)); "
            + "evaluated on the same images: loss \(fmt(r.evaluationLoss)), accuracy \(percent(r.evaluationAccuracy))"
    }

    public var attributeNames: [String] { ["passed", "loss", "accuracy", "causes"] }

    public func attribute(named name: String) -> Value? {
        switch name {
        case "passed": return .bool(report.passed)
        case "loss": return .number(report.evaluationLoss)
        case "accuracy": return .number(report.evaluationAccuracy)
        case "causes": return .list(report.causes.map { .string($0.text) })
        default: return nil
        }
    }
}

extension OverfitValue {
    /// `help overfit`: the kind and the attributes it answers (KindDocTests compares them with `attributeNames`).
    public static var kindDoc: KindDoc {
        KindDoc(kind: "overfit", summary: "the verdict of overfit", attributes: [
            ("passed", "loss ≈ 0 and 100% accuracy on the images"),
            ("loss", "loss on the images, evaluation mode"),
            ("accuracy", "accuracy on the images, evaluation mode"),
            ("causes", "likely causes of a failure"),
        ])
    }
}
