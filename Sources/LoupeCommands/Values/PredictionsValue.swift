import LoupeLang
import Datasets
import Workflow

/// A prediction table (`p = predict m "FOLDER"`, `filter p …`): one row per image, classes most probable first.
public final class PredictionsValue: LoupeObject {
    public let predictions: [FilePrediction]
    /// The model's classes, in its output order.
    public let classes: [String]
    /// Files that could not be read (path and reason).
    public let unreadable: [UnreadableFile]
    /// Files left out because their names say they are not images (`notes.txt`).
    public let ignored: [String]
    /// The folder the images were predicted from.
    public let folder: String
    /// How a subset was chosen ("class cat, confidence ≤ 60.0%"); nil for a whole folder's predictions.
    public let selection: String?
    /// How many classes each row lists.
    public let top: Int
    /// The prediction log entries these rows were written as (model, version, time), so that
    /// `verify` records which logged prediction a verdict judges; nil when not logged.
    public let logged: LoggedPredictions?

    public init(predictions: [FilePrediction], classes: [String], unreadable: [UnreadableFile], ignored: [String] = [], folder: String,
                selection: String? = nil, top: Int, logged: LoggedPredictions? = nil) {
        self.predictions = predictions
        self.classes = classes
        self.unreadable = unreadable
        self.ignored = ignored
        self.folder = folder
        self.selection = selection
        self.top = top
        self.logged = logged
    }

    /// Each row as the log entry `predict` appended for it (nil when the table was not logged).
    public var logEntries: [PredictionLogEntry]? {
        guard let logged else { return nil }
        return predictions.map { logged.entry(for: $0) }
    }

    /// "photos/" or "photos/ (class cat, confidence ≤ 60.0%)".
    public var source: String { selection.map { "\(folder) (\($0))" } ?? folder }

    public var kind: String { "predictions" }

    /// A filtered table keeps its rows' log identity.
    func subset(_ kept: [FilePrediction], selection: String?) -> PredictionsValue {
        PredictionsValue(predictions: kept, classes: classes, unreadable: [], folder: folder, selection: selection, top: top, logged: logged)
    }

    public var summary: String {
        var parts = ["predictions: \(counted(predictions.count, "image")) from \(source)"]
        let counts = self.counts
        let used = classes.indices.filter { counts[$0] > 0 }.sorted { counts[$0] > counts[$1] }
        if !used.isEmpty {
            let shown = used.prefix(4).map { "\(classes[$0]) \(counts[$0])" }.joined(separator: ", ")
            parts.append(shown + (used.count > 4 ? ", …" : ""))
        }
        if !predictions.isEmpty {
            parts.append("mean confidence \(percent(predictions.map(\.confidence).reduce(0, +) / Double(predictions.count)))")
        }
        if !unreadable.isEmpty { parts.append("\(unreadable.count) unreadable skipped") }
        if !ignored.isEmpty { parts.append("\(counted(ignored.count, "file")) that \(ignored.count == 1 ? "is" : "are") not an image ignored") }
        return parts.joined(separator: ", ")
    }

    public var attributeNames: [String] { ["count", "classes", "counts", "table", "files", "unreadable", "ignored"] }

    public func attribute(named name: String) -> Value? {
        switch name {
        case "count": return .integer(predictions.count)
        case "classes": return .list(classes.map { .string($0) })
        case "counts": return .list(counts.map { .integer($0) })
        case "table": return .table(predictionTable)
        case "files": return .list(predictions.map { .string($0.path) })
        case "unreadable": return .list(unreadable.map { .string("\($0.path): \($0.reason)") })
        case "ignored": return .list(ignored.map { .string($0) })
        default: return nil
        }
    }

    /// Images predicted as each class, in class order.
    public var counts: [Int] {
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        var c = [Int](repeating: 0, count: classes.count)
        for p in predictions { if let i = index[p.label] { c[i] += 1 } }
        return c
    }

    public var table: Table? { predictionTable }

    /// path, label, confidence, then label_2, confidence_2, … for the other top classes.
    public var predictionTable: Table {
        var columns = ["path", "label", "confidence"]
        for k in stride(from: 2, through: top, by: 1) { columns += ["label_\(k)", "confidence_\(k)"] }
        return Table(columns: columns, rows: predictions.map { p in
            var row: [Value] = [.string(p.path)]
            for k in 0..<top {
                if k < p.top.count {
                    row += [.string(p.top[k].label), .number(p.top[k].confidence)]
                } else {
                    row += [.none, .none]
                }
            }
            return row
        })
    }
}

/// Where and as what a prediction table was logged: the same model, version and time for every row.
public struct LoggedPredictions: Sendable, Equatable {
    public var log: String
    public var model: String
    public var version: Int
    public var time: String

    /// The log entry of one row, with the confidence rounded as the log writes it.
    public func entry(for p: FilePrediction) -> PredictionLogEntry {
        PredictionLogEntry(time: time, model: model, version: version, file: p.path, label: p.label,
                           confidence: Double(PredictionLog.number(p.confidence)) ?? p.confidence, digest: p.digest)
    }
}

extension PredictionsValue {
    /// `help predictions`: the kind and the attributes it answers (KindDocTests compares them with `attributeNames`).
    public static var kindDoc: KindDoc {
        KindDoc(kind: "predictions", summary: "a prediction table (predict m \"FOLDER\", filter p …)", attributes: [
            ("count", "images predicted"), ("classes", "the model's classes"), ("counts", "images predicted as each class, in class order"),
            ("table", "path, label, confidence, then the next most probable classes"), ("files", "the image paths"),
            ("unreadable", "files skipped, with the reason"),
            ("ignored", "files left out because their names say they are not images"),
        ])
    }
}
