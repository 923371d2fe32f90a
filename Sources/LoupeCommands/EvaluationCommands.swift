import LoupeLang
import Workflow
import Plotting

/// The "Evaluation, prediction, reports" family: evaluate, diagnose, mistakes, confused, predict,
/// filter, copy, plot, compare, report, usage (and the kinds they return).
extension CommandRegistry {
    public mutating func registerEvaluationCommands() {
        register(CommandSpec(
            name: "evaluate", group: "Evaluation", summary: "accuracy, per-class precision/recall/F1, macro F1, confusion matrix, top-k",
            parameters: [.positional("m", .kind("model"), help: "the model"),
                         .positional("d", .kind("dataset"), help: "labelled images, usually a split: d.test (or d.val)")],
            result: "an evaluation (loss, accuracy, macro_f1, precision, recall, f1, confusion, top_k)",
            example: "e = evaluate m d.test") { call in
                let model = try call.arguments.object("m", as: ModelValue.self)
                let data = try call.arguments.object("d", as: DatasetValue.self)
                let e = try EvaluationRunning.evaluate(model, on: data, dataParameter: "d", call: call)
                call.write(e.printedReport)
                return .object(e)
            })
        register(CommandSpec(
            name: "diagnose", group: "Evaluation", summary: "underfitting, overfitting or healthy, read from a run's loss curves, with remedies",
            parameters: [.positional("run", .kind("run"), help: "a training run")],
            result: "a diagnosis (verdict, evidence, remedies)", example: "diagnose run") { call in
                let run = try call.arguments.object("run", as: RunValue.self)
                let value = DiagnosisValue(diagnose(run.training.history), runName: run.displayLabel)
                call.write(value.text)
                return .object(value)
            })
        register(CommandSpec(
            name: "mistakes", group: "Evaluation", summary: "the worst errors as an image grid: true and predicted class, confidence",
            parameters: [.positional("m", .kind("model"), help: "the model"),
                         .positional("d", .kind("dataset"), help: "labelled images, usually d.test or d.val"),
                         .option("n", .integer, default: .integer(16), help: "how many mistakes to show (1 to 100)"),
                         .option("to", .string, help: "the PNG file to write (default: the work folder)")],
            result: "a figure", example: "mistakes m d.test n=8") { call in
                let n = try call.arguments.integer("n")
                guard (1...100).contains(n) else { throw CommandError.invalidArgument(parameter: "n", message: "show 1 to 100 mistakes, not \(n)") }
                let model = try call.arguments.object("m", as: ModelValue.self)
                let data = try call.arguments.object("d", as: DatasetValue.self)
                let e = try EvaluationRunning.evaluate(model, on: data, dataParameter: "d", call: call)
                let grid: ImageGrid
                do { grid = try e.mistakesGrid(limit: n) } catch {
                    throw CommandError.invalidArgument(parameter: "d", message: "cannot show an image: \(error)")
                }
                let path = try FigureOutput.write(grid, to: call.arguments["to"], defaultName: "mistakes-\(e.modelName)-\(fileSlug(e.dataName)).png", call: call)
                e.mistakeLines(limit: n).forEach(call.write)
                call.showFigure(path, title: grid.title)
                return .object(FigureValue(path: path, title: grid.title))
            })
        register(CommandSpec(
            name: "confused", group: "Evaluation", summary: "the most confused class pairs of an evaluation",
            parameters: [.positional("e", .kind("evaluation"), help: "an evaluation (e = evaluate m d.test)"),
                         .option("n", .integer, default: .integer(10), help: "how many pairs (at least 1)")],
            result: "a table (true, predicted, count, share_of_true)", example: "confused e n=5") { call in
                let n = try call.arguments.integer("n")
                guard n >= 1 else { throw CommandError.invalidArgument(parameter: "n", message: "list at least 1 pair, not \(n)") }
                let e = try call.arguments.object("e", as: EvaluationValue.self)
                let table = e.confusedTable(limit: n)
                if table.rows.isEmpty { call.write("no confused pairs: every image of \(e.dataName) was classified right") }
                return .table(table)
            })
        registerPredictionCommands()
        registerPlotCommand()
        registerCompareCommand()
        registerReportCommand()
        registerUsageCommand()
        registerVerifyCommand()
        registerEvaluationKinds()
    }

    mutating func registerEvaluationKinds() {
        registerKind(EvaluationValue.kindDoc)
        registerKind(PredictionsValue.kindDoc)
        registerKind(DiagnosisValue.kindDoc)
        registerKind(ReportValue.kindDoc)
        registerKind(FigureValue.kindDoc)
    }
}

extension EvaluationValue {
    /// What `evaluate` prints: headline metrics, the per-class table and top-k accuracy.
    var printedReport: String {
        var lines = ["accuracy \(percent(result.accuracy)) on \(result.count) images of the \(dataName) (macro F1 \(fmt3(result.macroF1)), loss \(fmt(result.loss)))"]
        let support = result.confusion.map { $0.reduce(0, +) }
        let table = Table(columns: ["class", "precision", "recall", "f1", "images"], rows: classNames.indices.map { c in
            [.string(classNames[c]), .string(fmt3(result.precision[c])), .string(fmt3(result.recall[c])), .string(fmt3(result.f1[c])), .integer(support[c])]
        })
        lines.append(table.formatted())
        let ks = result.topK.keys.sorted().filter { $0 > 1 }
        if !ks.isEmpty { lines.append("top-k accuracy: " + ks.map { "top-\($0) \(percent(result.topK[$0]!))" }.joined(separator: ", ")) }
        return lines.joined(separator: "\n")
    }
}
