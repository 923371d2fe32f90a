import Foundation
import LoupeLang
import Datasets
import Workflow
import LoupeBase

/// `predict`, `filter` and `copy`: bulk identification over unlabelled folders and what to do with it.
extension CommandRegistry {
    mutating func registerPredictionCommands() {
        register(CommandSpec(
            name: "predict", group: "Prediction", summary: "classify every image of a folder; the table is appended to the prediction log",
            parameters: [.positional("m", .kind("model"), help: "the model"),
                         .positional("folder", .string, help: "a folder of images (sub-folders included), unlabelled"),
                         .option("top", .integer, default: .integer(3), help: "how many classes each row lists, most probable first"),
                         .option("to", .string, help: "also write the table to this CSV file")],
            result: "predictions (count, classes, counts, table)", example: "p = predict m \"incoming/\" top=2") { call in
                try PredictionCommands.predict(call)
            })
        register(CommandSpec(
            name: "filter", group: "Prediction", summary: "a subset of a prediction table by class and confidence (e.g. doubtful images of one class)",
            parameters: [.positional("p", .kind("predictions"), help: "a prediction table"),
                         .option("class", .string, help: "keep images predicted as this class"),
                         .option("min", .number, help: "keep images whose confidence is at least this (0 to 1, or a percentage)"),
                         .option("max", .number, help: "keep images whose confidence is at most this")],
            result: "predictions", example: "doubtful = filter p max=0.6") { call in
                try PredictionCommands.filter(call)
            })
        register(CommandSpec(
            name: "copy", group: "Prediction", summary: "copy the images of a prediction table into one folder per predicted class, for labelling (or a verification's corrected images by true class)",
            parameters: [.positional("p", .oneOf([.kind("predictions"), .kind("verification")]), help: "a prediction table, or a verification (its corrected images go to their true class)"),
                         .positional("dir", .string, help: "the folder to copy into; existing files are never overwritten")],
            result: "nothing (prints the counts per class)", example: "copy doubtful \"to-label/\"") { call in
                try PredictionCommands.copy(call)
            })
    }
}

/// Implementations of the prediction commands.
enum PredictionCommands {
    static func predict(_ call: CommandInvocation) throws -> Value {
        let model = try call.arguments.object("m", as: ModelValue.self)
        let folder = try call.arguments.string("folder")
        let top = try call.arguments.integer("top")
        guard top >= 1 else { throw CommandError.invalidArgument(parameter: "top", message: "list at least 1 class per image, not \(top)") }
        var csvPath: String?
        if case .string(let path)? = call.arguments["to"] {
            guard path.lowercased().hasSuffix(".csv") else {
                throw CommandError.invalidArgument(parameter: "to", message: "the table is written as CSV: give a file name ending in .csv")
            }
            csvPath = path
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandError.invalidArgument(parameter: "folder", message: "'\(folder)' is not a folder")
        }
        let k = min(top, model.metadata.classNames.count)
        var started = false
        let outcome: FolderPrediction
        do {
            outcome = try predictFolder(model.model, metadata: model.metadata, folder: folder, top: k,
                                        batchSize: model.metadata.inputWidth * model.metadata.inputHeight >= 128 * 128 ? 32 : 128,
                                        communicator: call.communicator, shouldStop: call.shouldStop) { done, total in
                if !started { call.progress.start(ProgressTask(title: "predict \(folder)", steps: total, unit: "image")); started = true }
                call.progress.update(ProgressUpdate(step: done))
            }
        } catch let error as PredictionError {
            if started { call.progress.finish(nil) }
            if case .interrupted = error { throw CommandError.interrupted }
            throw CommandError.invalidArgument(parameter: "folder", message: "\(error)")
        } catch let error as DatasetError {
            throw CommandError.invalidArgument(parameter: "folder", message: "\(error)")
        } catch {
            throw CommandError.invalidArgument(parameter: "m", message: "\(error)")
        }
        if started { call.progress.finish(nil) }
        let log = call.session.workPath(PredictionLog.fileName)
        let logged = LoggedPredictions(log: log, model: model.metadata.id, version: model.metadata.version,
                                       time: PredictionLog.timestamp(Date()))
        let value = PredictionsValue(predictions: outcome.predictions, classes: model.metadata.classNames,
                                     unreadable: outcome.unreadable, ignored: outcome.ignored, folder: folder, top: k, logged: logged)
        if let csvPath, call.writesFiles { try FileWriting.write(value.predictionTable.csv(), to: csvPath, parameter: "to") }
        let entries = value.logEntries ?? []
        // The predictions are made: a log that cannot be written costs the log, never the table.
        // Only rank 0 writes (one process, or the first rank under mpirun).
        var logFailure: String?
        if call.writesFiles {
            do { try PredictionLog.append(entries, to: log) } catch { logFailure = "\(error)" }
        }
        call.write(value.printedPreview(rows: 10))
        writeUnreadable(outcome.unreadable, call: call)
        writeIgnored(outcome.ignored, call: call)
        if let csvPath { call.write("table: \(csvPath)") }
        if let logFailure {
            call.warn("the \(entries.count) prediction\(entries.count == 1 ? " was" : "s were") made but not logged: \(logFailure). "
                      + "The table is kept (export it with export p \"FILE.csv\"); check the work folder (workdir).")
        } else {
            call.write("logged \(counted(entries.count, "prediction")) to \(log)")
        }
        return .object(value)
    }

    static func writeUnreadable(_ files: [UnreadableFile], call: CommandInvocation) {
        guard !files.isEmpty else { return }
        call.write("skipped \(counted(files.count, "unreadable file")):")
        for f in files.prefix(10) { call.write("  \(f.path): \(f.reason)") }
        if files.count > 10 { call.write("  … and \(files.count - 10) more (p.unreadable lists them all)") }
    }

    static func writeIgnored(_ files: [String], call: CommandInvocation) {
        guard !files.isEmpty else { return }
        call.write("ignored \(counted(files.count, "file")) that \(files.count == 1 ? "is" : "are") not an image (by the name's extension): "
                   + files.prefix(5).joined(separator: ", ") + (files.count > 5 ? ", … (p.ignored lists them all)" : ""))
    }

    static func filter(_ call: CommandInvocation) throws -> Value {
        let p = try call.arguments.object("p", as: PredictionsValue.self)
        var kept = p.predictions
        var how: [String] = []
        if case .string(let name)? = call.arguments["class"] {
            guard p.classes.contains(name) else {
                throw CommandError.invalidArgument(parameter: "class", message: "'\(name)' is not one of the model's classes (\(EvaluationRunning.list(p.classes)))"
                                                   + Suggestions.didYouMean(name, among: p.classes))
            }
            kept = kept.filter { $0.label == name }
            how.append("class \(name)")
        }
        let low = try bound("min", call), high = try bound("max", call)
        if let low, let high, low > high {
            throw CommandError.invalidArgument(parameter: "max", message: "max (\(Value.format(high))) is below min (\(Value.format(low))): no image can match")
        }
        if let low { kept = kept.filter { $0.confidence >= low }; how.append("confidence ≥ \(percent(low))") }
        if let high { kept = kept.filter { $0.confidence <= high }; how.append("confidence ≤ \(percent(high))") }
        let selection = ([p.selection].compactMap { $0 } + how).joined(separator: ", ")
        let subset = p.subset(kept, selection: selection.isEmpty ? nil : selection)
        call.write(subset.printedPreview(rows: 10))
        return .object(subset)
    }

    private static func bound(_ name: String, _ call: CommandInvocation) throws -> Double? {
        guard case .number(let v)? = call.arguments[name] else { return nil }
        guard (0...1).contains(v) else {
            throw CommandError.invalidArgument(parameter: name, message: "a confidence is between 0 and 1 (or 0% and 100%), not \(Value.format(v))")
        }
        return v
    }

    static func copy(_ call: CommandInvocation) throws -> Value {
        let dir = try call.arguments.string("dir")
        guard !dir.isEmpty else { throw CommandError.invalidArgument(parameter: "dir", message: "the folder name is empty") }
        let items: [(path: String, label: String)], classes: [String]
        if case .object(let o)? = call.arguments["p"], let v = o as? VerificationValue {
            let corrected = v.outcome.verdicts.filter { $0.verdict == .corrected }
            guard !corrected.isEmpty else {
                throw CommandError.invalidArgument(parameter: "p", message: "the verification has no corrected image to copy (every decided prediction was confirmed)")
            }
            items = corrected.map { ($0.file, $0.truth ?? "unknown") }
            classes = Array(Set(items.map(\.label))).sorted()
        } else {
            let p = try call.arguments.object("p", as: PredictionsValue.self)
            items = p.predictions.map { ($0.path, $0.label) }
            classes = p.classes
        }
        let outcome = try PredictionCopying.copy(items, into: dir, call: call)
        let perClass = classes.compactMap { c in outcome.copied[c].map { "\(c) \($0)" } }
        call.write("copied \(counted(outcome.total, "image")) into \(dir)" + (perClass.isEmpty ? "" : ": " + perClass.joined(separator: ", ")))
        if outcome.renamed > 0 { call.write("\(outcome.renamed) kept a numbered name (-1, -2, …) because a file of the same name was already there") }
        if !outcome.failed.isEmpty {
            call.write("could not copy \(counted(outcome.failed.count, "file")):")
            for f in outcome.failed.prefix(10) { call.write("  \(f)") }
        }
        if outcome.interrupted { throw CommandError.interrupted }
        return .none
    }
}

extension PredictionsValue {
    /// A headline and the first rows of the table, for `predict`'s output.
    func printedPreview(rows: Int) -> String {
        var lines = [summary]
        guard !predictions.isEmpty else { return lines.joined() }
        var table = predictionTable
        // The same paths as p.table and the exported CSV; confidences rounded for reading only.
        table.rows = Array(table.rows.prefix(rows)).map { row in
            row.map { if case .number(let n) = $0 { return .number(round4(n)) } else { return $0 } }
        }
        lines.append(table.formatted())
        if predictions.count > rows { lines.append("… \(predictions.count - rows) more rows (p.table, export p \"FILE.csv\")") }
        return lines.joined(separator: "\n")
    }
}
