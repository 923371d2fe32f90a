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
                let name = "compare-" + fileSlug(ranked.map(\.displayLabel).joined(separator: "-")) + ".png"
                let path = try FigureOutput.write(chart, to: call.arguments["to"], defaultName: name, call: call)
                if table.columns.count == 1 + RunComparison.resultColumns.count {
                    call.write("no hyperparameter differs between these runs (their data or starting weights may)")
                }
                call.showFigure(path, title: "runs compared")
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
            switch (a.element.training.bestLoss, b.element.training.bestLoss) {
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
        // Each run draws its own seed stream from the session: a difference there is not a choice.
        // The data iteration shows whenever a run trained on added images, so iterations read side by side.
        let iterated = runs.contains { $0.dataIteration > 1 }
        for n in names where n != "seed" && !differing.contains(n) && (Set(settings.map { $0[n] ?? "" }).count > 1 || (n == "data" && iterated)) {
            differing.append(n)
        }
        return Table(columns: ["run"] + differing + resultColumns, rows: zip(runs, settings).map { r, s in
            [.string(r.displayLabel)] + differing.map { Value.string(s[$0] ?? "") } + [
                .integer(r.training.epochsRun), r.training.bestEpoch.map { .integer($0) } ?? .none,
                r.training.bestLoss.map { .number($0) } ?? .none, r.training.accuracy.map { .string(percent($0)) } ?? .none,
            ]
        })
    }

    /// Dev loss and dev accuracy per epoch side by side, one line per run in ranking order
    /// (train curves, dashed, for runs without dev data).
    static func curves(_ runs: [RunValue]) -> Panels {
        func chart(_ title: String, _ axis: String, _ value: (EpochRecord, Bool) -> Double) -> LineChart {
            let series = runs.enumerated().map { i, r -> LineChart.Series in
                let history = r.training.history, hasDev = r.training.hasDevEveryEpoch
                return .init(hasDev ? r.displayLabel : "\(r.displayLabel) (train)", x: history.map { Double($0.epoch) },
                             y: history.map { value($0, hasDev) }, color: Palette.series(i), dashed: !hasDev)
            }
            var c = LineChart(title: title, xLabel: "epoch", yLabel: axis, series: series)
            c.width = 960; c.height = 440
            return c
        }
        let loss = chart("Dev loss per epoch (best run first)", "dev loss") { r, dev in dev ? r.devLoss! : r.trainLoss }
        let accuracy = chart("Dev accuracy per epoch", "dev accuracy (%)") { r, dev in 100 * (dev ? (r.devAccuracy ?? 0) : r.trainAccuracy) }
        return Panels([loss, accuracy], direction: .vertical)
    }
}
