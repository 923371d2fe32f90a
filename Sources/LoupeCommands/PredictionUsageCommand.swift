import LoupeLang
import Workflow

/// `usage "LOG" [by=class|model|confidence|day|week] [model=m]`: the prediction log summarised,
/// with accuracy on the predictions a person verified.
extension CommandRegistry {
    mutating func registerUsageCommand() {
        register(CommandSpec(
            name: "usage", group: "Prediction",
            summary: "the prediction log summarised by class, model, confidence, day or week, with accuracy on the verified predictions",
            parameters: [.positional("log", .string, optional: true, help: "a prediction log (JSON lines); default: predictions.jsonl in the work folder"),
                         .option("by", .choice(UsageGrouping.allCases.map(\.rawValue)), default: .string("class"), help: "how to group the predictions"),
                         .option("model", .kind("model"), help: "the current model: classes of the log it does not know are listed")],
            result: "a usage table (the group, predictions, share, mean_confidence, verified, accuracy and its 95% interval, first, last); plot draws it over time per model version, or as a reliability diagram",
            example: "u = usage \"loupe-out/predictions.jsonl\" by=model") { call in
                try UsageCommand.usage(call)
            })
        registerKind(UsageValue.kindDoc)
    }
}

enum UsageCommand {
    static func usage(_ call: CommandInvocation) throws -> Value {
        let path: String
        if case .string(let given)? = call.arguments["log"] { path = given } else { path = call.session.workPath(PredictionLog.fileName) }
        let grouping = UsageGrouping(rawValue: try call.arguments.string("by")) ?? .byClass
        let contents: PredictionLogContents
        do { contents = try PredictionLog.contents(path) } catch {
            throw CommandError.invalidArgument(parameter: "log", message: "\(error)")
        }
        if !contents.badLines.isEmpty {
            let bad = contents.badLines
            let shown = bad.prefix(5).map(String.init).joined(separator: ", ")
            call.write("skipped \(bad.count) line\(bad.count == 1 ? " that is" : "s that are") neither a prediction nor a verdict (line \(shown)\(bad.count > 5 ? ", …" : ""))")
        }
        let value = UsageValue(contents: contents, grouping: grouping, path: path)
        let s = value.summaryTable
        var headline = "\(counted(s.total, "prediction")) in \(path)"
        if s.verified > 0 {
            let interval = wilsonInterval(correct: s.correct, of: s.verified)!
            headline += "; \(s.verified) verified, accuracy \(percent(Double(s.correct) / Double(s.verified))) (95% interval \(percent(interval.lowerBound))–\(percent(interval.upperBound)))"
        } else {
            headline += "; none verified yet (verify p \"DIR\" records what a person decided)"
        }
        call.write(headline)
        call.show(.table(value.usageTable))
        let few = s.rows.filter { $0.verified > 0 && $0.verified < fewVerified }
        if !few.isEmpty {
            let names = few.prefix(6).map { "\($0.key.joined(separator: " "))" + " (\($0.verified))" }.joined(separator: ", ")
            call.write("note: under \(fewVerified) verified predictions in \(names)\(few.count > 6 ? ", …" : ""): those accuracies are rough; the interval columns say how rough")
        }
        if grouping == .confidence && s.verified > 0 { for line in thresholdLines(contents) { call.write(line) } }
        if case .object(let o)? = call.arguments["model"], let m = o as? ModelValue {
            let known = Set(m.metadata.classNames)
            var counts: [String: Int] = [:]
            for e in contents.predictions where !known.contains(e.label) { counts[e.label, default: 0] += 1 }
            for v in latest(contents.verdicts) { if let t = v.truth, !known.contains(t) { counts[t, default: 0] += 1 } }
            value.classesNotInModel = counts.keys.sorted()
            if !counts.isEmpty {
                call.warn("the log has classes that \(m.metadata.classNames.count)-class model \(m.model.config.name) version \(m.metadata.version) does not know: "
                          + counts.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
                          + "; they stay in the counts above under their names")
            }
        }
        return .object(value)
    }

    /// Which threshold to trust: for each band's lower edge, how many predictions reach it and how
    /// often the verified ones among them were right.
    static func thresholdLines(_ contents: PredictionLogContents) -> [String] {
        let verdicts = latest(contents.verdicts).filter { $0.isCorrect != nil }
        var lines = ["if you accept predictions at or above a confidence:"]
        for t in [0.5, 0.7, 0.9] {
            let share = contents.predictions.isEmpty ? 0 : Double(contents.predictions.count { $0.confidence >= t }) / Double(contents.predictions.count)
            let judged = verdicts.filter { $0.prediction.confidence >= t }
            let right = judged.count { $0.isCorrect == true }
            var line = "  \(Int(t * 100))%: \(percent(share)) of the predictions"
            if let ci = wilsonInterval(correct: right, of: judged.count) {
                line += ", \(percent(Double(right) / Double(judged.count))) right of \(judged.count) verified (95% interval \(percent(ci.lowerBound))–\(percent(ci.upperBound)))"
            } else {
                line += ", none verified"
            }
            lines.append(line)
        }
        return lines
    }
}
