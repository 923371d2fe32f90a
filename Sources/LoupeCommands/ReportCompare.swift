import LoupeLang
import Plotting
import Workflow

/// `compare run1 run2 …`: hyperparameters that differ and results, best first; dev-loss curves overlaid.
extension CommandRegistry {
    mutating func registerCompareCommand() {
        register(CommandSpec(
            name: "compare", group: "Evaluation", summary: "runs side by side: the hyperparameters that differ and the results, best first",
            parameters: [.variadic("runs", .kind("run"), help: "two or more training runs"),
                         .option("to", .string, help: "the PNG file for the overlaid dev-loss curves (default: the work folder)")],
            result: "a table (run, differing hyperparameters, results), best dev loss first",
            example: "compare run1 run2") { call in
                let runs = try call.arguments.list("runs").compactMap { v -> RunValue? in
                    if case .object(let o) = v { return o as? RunValue } else { return nil }
                }
                guard runs.count >= 2 else {
                    throw CommandError.invalidArgument(parameter: "runs", message: "compare needs at least two runs, got \(runs.count)")
                }
                let ranked = RunComparison.ranked(runs)
                let table = RunComparison.table(ranked)
                let chart = RunComparison.curves(ranked)
                let name = "compare-" + fileSlug(ranked.map(\.name).joined(separator: "-")) + ".png"
                let path = try FigureOutput.write(chart, to: call.arguments["to"], defaultName: name, call: call)
                if table.columns.count == 1 + RunComparison.resultColumns.count {
                    call.write("the runs share every hyperparameter (only the results differ)")
                }
                call.write("figure: \(path)")
                return .table(table)
            })
    }
}

/// Ranking and tabulating runs for `compare`.
enum RunComparison {
    static let resultColumns = ["epochs_run", "best_epoch", "best_dev_loss", "dev_accuracy"]

    /// Best first: lowest best dev loss (train loss for runs without a dev split), runs without any epoch last.
    static func ranked(_ runs: [RunValue]) -> [RunValue] {
        runs.enumerated().sorted { a, b in
            switch (a.element.run.bestLoss, b.element.run.bestLoss) {
            case let (x?, y?) where x != y: return x < y
            case (_?, nil): return true
            case (nil, _?): return false
            default: return a.offset < b.offset
            }
        }.map(\.element)
    }

    static func table(_ runs: [RunValue]) -> Table {
        let settings = runs.map { Dictionary($0.hyperparameters, uniquingKeysWith: { a, _ in a }) }
        let names = runs[0].hyperparameters.map(\.0) + runs.dropFirst().flatMap { $0.hyperparameters.map(\.0) }
        var differing: [String] = []
        for n in names where !differing.contains(n) && Set(settings.map { $0[n] ?? "" }).count > 1 { differing.append(n) }
        return Table(columns: ["run"] + differing + resultColumns, rows: zip(runs, settings).map { r, s in
            [.string(r.name)] + differing.map { Value.string(s[$0] ?? "") } + [
                .integer(r.run.epochsRun), r.run.bestEpoch.map { .integer($0) } ?? .none,
                r.run.bestLoss.map { .number(round4($0)) } ?? .none, r.run.accuracy.map { .string(percent($0)) } ?? .none,
            ]
        })
    }

    /// Dev loss per epoch, one line per run (train loss when a run has no dev split).
    static func curves(_ runs: [RunValue]) -> LineChart {
        let series = runs.enumerated().map { i, r -> LineChart.Series in
            let epochs = r.run.history.map { Double($0.epoch) }
            let hasDev = r.run.history.allSatisfy { $0.devLoss != nil } && !r.run.history.isEmpty
            let losses = r.run.history.map { hasDev ? $0.devLoss! : $0.trainLoss }
            return .init(hasDev ? "run \(r.name)" : "run \(r.name) (train loss)", x: epochs, y: losses, color: Palette.series(i), dashed: !hasDev)
        }
        return LineChart(title: "Dev loss per epoch, best run first", xLabel: "epoch", yLabel: "dev loss", series: series)
    }
}
