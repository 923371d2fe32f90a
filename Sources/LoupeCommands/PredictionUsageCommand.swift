import LoupeLang
import Workflow

/// `usage "LOG" [by=class|model|confidence|day]`: the prediction log summarised.
extension CommandRegistry {
    mutating func registerUsageCommand() {
        register(CommandSpec(
            name: "usage", group: "Prediction", summary: "the prediction log summarised by class, model, confidence or day",
            parameters: [.positional("log", .string, optional: true, help: "a prediction log (JSON lines); default: predictions.jsonl in the work folder"),
                         .option("by", .choice(UsageGrouping.allCases.map(\.rawValue)), default: .string("class"), help: "how to group the predictions")],
            result: "a table (the group, predictions, share, mean_confidence, first, last)",
            example: "usage \"loupe-out/predictions.jsonl\" by=day") { call in
                let path: String
                if case .string(let given)? = call.arguments["log"] { path = given } else { path = call.session.workPath(PredictionLog.fileName) }
                let grouping = UsageGrouping(rawValue: try call.arguments.string("by")) ?? .byClass
                let log: (entries: [PredictionLogEntry], badLines: [Int])
                do { log = try PredictionLog.read(path) } catch {
                    throw CommandError.invalidArgument(parameter: "log", message: "\(error)")
                }
                if !log.badLines.isEmpty {
                    let shown = log.badLines.prefix(5).map(String.init).joined(separator: ", ")
                    call.write("skipped \(log.badLines.count) line\(log.badLines.count == 1 ? " that is" : "s that are") not a prediction entry (line \(shown)\(log.badLines.count > 5 ? ", …" : ""))")
                }
                let summary = summarizeUsage(log.entries, by: grouping)
                call.write("\(summary.total) prediction\(summary.total == 1 ? "" : "s") in \(path)")
                return .table(Table(columns: summary.keyColumns + ["predictions", "share", "mean_confidence", "first", "last"],
                                    rows: summary.rows.map { r in
                    r.key.map { Value.string($0) } + [.integer(r.count), .number(round4(r.share)),
                                                     r.count > 0 ? .number(round4(r.meanConfidence)) : .none, .string(r.first), .string(r.last)]
                }))
            })
    }
}
