import Foundation
import LoupeLang
import Workflow
import LoupeBase

/// `verify p "DIR"`: a person's re-filing of a `copy` folder read back as verdicts in the prediction log.
extension CommandRegistry {
    mutating func registerVerifyCommand() {
        register(CommandSpec(
            name: "verify", group: "Prediction",
            summary: "read a folder a person re-filed (class folders, unknown/, discard/) as verdicts on predictions; logs one per image",
            parameters: [.positional("p", .kind("predictions"), help: "the predictions the images were copied from (predict, filter)"),
                         .positional("dir", .string, help: "the folder: DIR/<class>/… (right class), DIR/unknown/…, DIR/discard/…; files are found by content, so names may change")],
            result: "a verification (confirmed, corrected, unknown, discarded, accuracy, pairs, table)",
            example: "v = verify p \"to-label/\"") { call in
                try VerifyCommand.verify(call)
            })
        registerKind(VerificationValue.kindDoc)
    }
}

enum VerifyCommand {
    static func verify(_ call: CommandInvocation) throws -> Value {
        let p = try call.arguments.object("p", as: PredictionsValue.self)
        let dir = try call.arguments.string("dir")
        guard let logged = p.logged, let entries = p.logEntries else {
            throw CommandError.invalidArgument(parameter: "p", message: "these predictions were not logged, so no verdict can refer to them; make them with predict")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandError.invalidArgument(parameter: "dir", message: "'\(dir)' is not a folder (copy p \"\(dir)\" makes one to re-file)")
        }
        call.progress.start(ProgressTask(title: "verify \(dir)", steps: 0))
        let outcome: VerificationOutcome
        do {
            outcome = try verifyFolder(dir, predictions: entries, classes: p.classes, time: PredictionLog.timestamp(Date()), by: userName())
        } catch {
            call.progress.finish(nil)
            throw CommandError.invalidArgument(parameter: "dir", message: "\(error)")
        }
        call.progress.finish(nil)
        guard !outcome.verdicts.isEmpty else {
            var found: [String] = []
            if !outcome.unmatched.isEmpty { found.append("\(counted(outcome.unmatched.count, "image")) that match no prediction of p") }
            if !outcome.unsorted.isEmpty { found.append("\(counted(outcome.unsorted.count, "image")) not in a class folder") }
            if !outcome.unreadable.isEmpty { found.append("\(counted(outcome.unreadable.count, "unreadable file"))") }
            if !outcome.ignored.isEmpty { found.append("\(outcome.ignored.count) file\(outcome.ignored.count == 1 ? " that is" : "s that are") not an image") }
            throw CommandError.invalidArgument(parameter: "dir", message: "no image in '\(dir)' decides a prediction of p"
                + (found.isEmpty ? "" : " (found " + found.joined(separator: ", ") + ")")
                + "; verify reads DIR/<class>/, DIR/unknown/ and DIR/discard/ holding images that p predicted")
        }
        // Under mpirun only rank 0 writes the verdicts.
        if call.writesFiles {
            do { try PredictionLog.append(outcome.verdicts, to: logged.log) } catch {
                throw CommandError.failed("\(error) (nothing was recorded)")
            }
        }
        let value = VerificationValue(outcome: outcome, folder: dir, log: logged.log)
        report(value, predictions: p, call: call)
        return .object(value)
    }

    /// The counts, the accuracy with its interval, the corrections, and every file not used.
    static func report(_ v: VerificationValue, predictions p: PredictionsValue, call: CommandInvocation) {
        let o = v.outcome
        call.write("\(counted(o.verdicts.count, "image")) in \(v.folder) judge\(o.verdicts.count == 1 ? "s" : "") predictions of \(p.source)")
        call.show(.table(v.statusTable))
        if let a = v.accuracy, let interval = wilsonInterval(correct: o.count(.confirmed), of: v.decided) {
            var line = "accuracy on the \(v.decided) decided: \(percent(a)) (95% interval \(percent(interval.lowerBound))–\(percent(interval.upperBound)))"
            if v.decided < fewVerified { line += "; only \(v.decided) decided, so read it as rough" }
            call.write(line)
        }
        let pairs = o.correctedPairs
        if !pairs.isEmpty {
            let shown = pairs.prefix(8).map { "\($0.predicted) → \($0.truth) \($0.count)" }.joined(separator: ", ")
            call.write("corrected (predicted → true): \(shown)\(pairs.count > 8 ? ", … (v.pairs has all)" : "")")
        }
        for (name, count) in o.newClasses.sorted(by: { $0.key < $1.key }) {
            call.warn("'\(name)' is not one of the model's classes: \(counted(count, "image")) recorded as corrected to it"
                      + Suggestions.didYouMean(name, among: p.classes)
                      + " (rename the folder if it is a typo, then verify again: the latest verdict counts)")
        }
        list("\(counted(o.unmatched.count, "image")) match\(o.unmatched.count == 1 ? "es" : "") no prediction of p (not predicted, or changed since) and \(o.unmatched.count == 1 ? "was" : "were") left out:",
             o.unmatched, call: call)
        list("\(o.unsorted.count) image\(o.unsorted.count == 1 ? " is" : "s are") not in a class folder (undecided, left out):", o.unsorted, call: call)
        list("\(o.repeated.count) file\(o.repeated.count == 1 ? " repeats an image" : "s repeat images") already judged here (left out):", o.repeated, call: call)
        list("skipped \(counted(o.unreadable.count, "unreadable file")):",
             o.unreadable.map { "\($0.path): \($0.reason)" }, call: call)
        list("ignored \(o.ignored.count) file\(o.ignored.count == 1 ? " that is" : "s that are") not an image (by the name's extension):", o.ignored, call: call)
        call.write("recorded \(counted(o.verdicts.count, "verdict")) in \(v.log)")
    }

    private static func list(_ heading: String, _ items: [String], call: CommandInvocation) {
        guard !items.isEmpty else { return }
        call.write(heading)
        for item in items.prefix(10) { call.write("  \(item)") }
        if items.count > 10 { call.write("  … and \(items.count - 10) more") }
    }

    /// Who records a verdict: the login name, as the environment gives it.
    static func userName() -> String {
        let env = ProcessInfo.processInfo.environment
        return env["LOUPE_USER"] ?? env["USER"] ?? env["LOGNAME"] ?? NSUserName()
    }
}
