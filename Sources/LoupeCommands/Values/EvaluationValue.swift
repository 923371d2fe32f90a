import LoupeLang
import Datasets
import Workflow

/// A model's metrics on a labelled split (`e = evaluate m d.test`).
///
/// Keeps the evaluated split so `mistakes` and `report` can show the images behind the numbers.
public final class EvaluationValue: LoupeObject {
    public let result: EvaluationResult
    public let classNames: [String]
    /// The split that was evaluated; `result.predictions[i].index` indexes it.
    public let data: Dataset
    /// "resnet20" and "test split": what was evaluated on what, for summaries and titles.
    public let modelName: String
    public let dataName: String

    public init(result: EvaluationResult, classNames: [String], data: Dataset, modelName: String, dataName: String) {
        self.result = result
        self.classNames = classNames
        self.data = data
        self.modelName = modelName
        self.dataName = dataName
    }

    public var kind: String { "evaluation" }

    public var summary: String {
        "evaluation of \(modelName) on \(dataName) (\(result.count) images): accuracy \(percent(result.accuracy)), "
            + "macro F1 \(fmt3(result.macroF1)), loss \(fmt(result.loss))"
    }

    public var attributeNames: [String] {
        ["loss", "accuracy", "macro_f1", "precision", "recall", "f1", "confusion", "top_k", "classes", "count", "mistakes"]
    }

    public func attribute(named name: String) -> Value? {
        switch name {
        case "loss": return .number(result.loss)
        case "accuracy": return .number(result.accuracy)
        case "macro_f1": return .number(result.macroF1)
        case "precision": return .list(result.precision.map { .number($0) })
        case "recall": return .list(result.recall.map { .number($0) })
        case "f1": return .list(result.f1.map { .number($0) })
        case "confusion": return .table(confusionTable)
        case "top_k": return .table(topKTable)
        case "classes": return .list(classNames.map { .string($0) })
        case "count": return .integer(result.count)
        case "mistakes": return .integer(result.predictions.filter { $0.label != $0.predicted }.count)
        default: return nil
        }
    }

    /// Per-class precision, recall, F1 and support: what `export e "FILE.csv"` writes.
    public var table: Table? { perClassTable }

    public var perClassTable: Table {
        let support = result.confusion.map { $0.reduce(0, +) }
        return Table(columns: ["class", "precision", "recall", "f1", "support"], rows: classNames.indices.map { c in
            [.string(classNames[c]), .number(result.precision[c]), .number(result.recall[c]),
             .number(result.f1[c]), .integer(support[c])]
        })
    }

    /// Rows are true classes, columns predicted classes.
    public var confusionTable: Table {
        Table(columns: ["true \\ predicted"] + classNames, rows: classNames.indices.map { t in
            [.string(classNames[t])] + result.confusion[t].map { .integer($0) }
        })
    }

    public var topKTable: Table {
        Table(columns: ["k", "accuracy"], rows: result.topK.keys.sorted().map { [.integer($0), .number(result.topK[$0]!)] })
    }

    /// The most frequent (true, predicted) pairs off the diagonal, with the share of the true class they take.
    public func confusedTable(limit: Int) -> Table {
        let support = result.confusion.map { $0.reduce(0, +) }
        return Table(columns: ["true", "predicted", "count", "share_of_true"], rows: result.confusedPairs(limit: limit).map { p in
            [.string(classNames[p.trueClass]), .string(classNames[p.predicted]), .integer(p.count),
             .number(support[p.trueClass] > 0 ? Double(p.count) / Double(support[p.trueClass]) : 0)]
        })
    }
}

extension EvaluationValue {
    /// `help evaluation`: the kind and the attributes it answers (KindDocTests compares them with `attributeNames`).
    public static var kindDoc: KindDoc {
        KindDoc(kind: "evaluation", summary: "a model's metrics on a labelled split (evaluate m d.test)", attributes: [
            ("loss", "mean cross-entropy"), ("accuracy", "share of images classified right (0 to 1)"),
            ("macro_f1", "F1 averaged over classes, each class counting the same"),
            ("precision", "per class, in class order: of the images predicted as the class, the share that are"),
            ("recall", "per class: of the images of the class, the share found"), ("f1", "per class: harmonic mean of precision and recall"),
            ("confusion", "table: rows true classes, columns predicted"), ("top_k", "table: accuracy with the label among the k most probable classes"),
            ("classes", "class names"), ("count", "images evaluated"), ("mistakes", "images classified wrong"),
        ])
    }
}
