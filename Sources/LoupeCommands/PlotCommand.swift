import Foundation
import LoupeLang
import Plotting
import LoupeBase

/// `plot VALUE [what=...] [to="FILE.png"]`: the natural figure of any `Plottable` value.
extension CommandRegistry {
    mutating func registerPlotCommand() {
        register(CommandSpec(
            name: "plot", group: "Evaluation", summary: "the natural figure of a value (run curves, confusion matrix, class counts, confidence histogram, …)",
            parameters: [.positional("value", .any, help: "a run, lr_range, lr_find, evaluation, dataset or predictions"),
                         .option("what", .word, help: "which figure, when the value has several (the first is the default; an unknown word lists them)"),
                         .option("to", .string, help: "the PNG file to write (default: the work folder)")],
            result: "a figure", example: "plot e what=normalized") { call in
                let value = call.arguments["value"] ?? .none
                guard case .object(let object) = value, let plottable = object as? any Plottable else {
                    throw CommandError.invalidArgument(parameter: "value", message: "\(value.kindWithArticle) cannot be plotted; plot takes a run, lr_range, lr_find, evaluation, dataset or predictions")
                }
                let kinds = plottable.plotKinds
                guard let first = kinds.first else {
                    throw CommandError.invalidArgument(parameter: "value", message: "this \(plottable.kind) has nothing to plot yet")
                }
                var what = first
                if case .string(let asked)? = call.arguments["what"] {
                    guard kinds.contains(asked) else {
                        throw CommandError.invalidArgument(parameter: "what", message: "\(withArticle(plottable.kind)) can plot \(kinds.joined(separator: ", ")), not '\(asked)'"
                                                           + Suggestions.didYouMean(asked, among: kinds))
                    }
                    what = asked
                }
                let figure: any Figure
                do { figure = try plottable.figure(what) } catch let error as CommandError { throw error } catch {
                    throw CommandError.invalidArgument(parameter: "value", message: "cannot draw the \(what) figure: \(error)")
                }
                let name = plottable.figureStem + (what == first ? "" : "-\(what)") + ".png"
                let path = try FigureOutput.write(figure, to: call.arguments["to"], defaultName: name, call: call)
                let title = figureTitle(figure) ?? "\(plottable.kind) \(what)"
                call.showFigure(path, title: title)
                return .object(FigureValue(path: path, title: title))
            })
    }
}

/// "an evaluation", "a run".
func withArticle(_ kind: String) -> String {
    ("aeiou".contains(kind.first ?? "x") ? "an " : "a ") + kind
}

/// The title a chart carries, for the figure value's summary.
func figureTitle(_ figure: any Figure) -> String? {
    switch figure {
    case let f as Heatmap: return f.title
    case let f as Histogram: return f.title
    case let f as LineChart: return f.title
    case let f as BarChart: return f.title
    case let f as ImageGrid: return f.title
    default: return nil
    }
}

/// Where figures go: the `to=` path, or the work folder under a readable name.
enum FigureOutput {
    /// Writes `figure` as PNG and returns its path. `to` must end in .png; folders are created.
    static func write(_ figure: any Figure, to: Value?, defaultName: String, call: CommandInvocation) throws -> String {
        let path: String
        if case .string(let given)? = to {
            guard given.lowercased().hasSuffix(".png") else {
                throw CommandError.invalidArgument(parameter: "to", message: "figures are written as PNG: give a file name ending in .png, e.g. \"\(defaultName)\"")
            }
            path = given
        } else {
            path = call.session.workPath(defaultName)
        }
        if call.writesFiles { do {
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try figure.write(to: path)
        } catch {
            throw CommandError.invalidArgument(parameter: "to", message: "cannot write '\(path)': \(error)")
        } }
        return path
    }
}
