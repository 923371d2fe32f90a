import Foundation
import LoupeBase

/// The session commands every Loupe session has (LANGUAGE.md "Session commands"), plus
/// `export` and `sleep`.
extension CommandRegistry {
    mutating func registerSessionCommands() {
        register(CommandSpec(
            name: "seed", group: "Session", summary: "seed every random draw (split, initialisation, shuffling, augmentation, dropout)",
            parameters: [.positional("n", .integer, help: "the seed, a whole number from 0")],
            result: "nothing", example: "seed 42") { invocation in
                let n = try invocation.arguments.integer("n")
                guard n >= 0 else { throw CommandError.invalidArgument(parameter: "n", message: "a seed is a whole number from 0") }
                invocation.session.seed = UInt64(n)
                return .none
            })
        register(CommandSpec(
            name: "workdir", group: "Session", summary: "the folder for figures, reports and checkpoints when no path is given",
            parameters: [.positional("dir", .string, optional: true, help: "the folder; without it, the current one is shown")],
            result: "the work folder (a string) when no folder is given", example: "workdir \"runs/mnist\"") { invocation in
                if let dir = invocation.arguments["dir"], case .string(let path) = dir {
                    guard !path.isEmpty else { throw CommandError.invalidArgument(parameter: "dir", message: "the folder name is empty") }
                    invocation.session.workdir = path
                    return .none
                }
                return .string(invocation.session.workdir)
            })
        register(CommandSpec(
            name: "help", group: "Session", summary: "commands by task; one command's parameters; a value kind's attributes",
            parameters: [.positional("name", .word, optional: true, help: "a command, a value kind, or a variable")],
            result: "nothing (prints help)", example: "help train", recordsInHistory: false) { invocation in
                let name: String? = invocation.arguments["name"].flatMap { if case .string(let s) = $0 { s } else { nil } }
                invocation.show(.help(try HelpText(registry: invocation.interpreter.registry, session: invocation.session)
                    .text(for: name, at: invocation.call.arguments.first?.value.span, in: invocation.source)))
                return .none
            })
        register(CommandSpec(
            name: "clear", group: "Session", summary: "clear the output of the notebook cell it runs in (at the REPL: Ctrl-L)",
            result: "nothing", example: "clear", recordsInHistory: false) { invocation in
                invocation.show(.clear)
                return .none
            })
        register(CommandSpec(
            name: "vars", group: "Session", summary: "the session's variables with kind and a one-line summary",
            result: "a table (name, kind, summary)", example: "vars", recordsInHistory: false) { invocation in
                let rows = invocation.session.variables.keys.sorted().map { name -> [Value] in
                    let value = invocation.session.variables[name]!
                    return [.string(name), .string(value.kind), .string(value.summary)]
                }
                return .table(Table(columns: ["name", "kind", "summary"], rows: rows))
            })
        register(CommandSpec(
            name: "history", group: "Session", summary: "this session's statements that succeeded, numbered",
            result: "nothing (prints the statements)", example: "history", recordsInHistory: false) { invocation in
                let entries = invocation.session.history
                let width = String(entries.count).count
                for (i, entry) in entries.enumerated() {
                    let number = String(repeating: " ", count: width - String(i + 1).count) + String(i + 1)
                    let lines = entry.text.split(separator: "\n", omittingEmptySubsequences: false)
                    invocation.write("\(number)  " + lines.joined(separator: "\n" + String(repeating: " ", count: width + 2)))
                }
                return .none
            })
        register(CommandSpec(
            name: "save_session", group: "Session", summary: "write the statements that succeeded as a script that replays the session",
            parameters: [.positional("file", .string, help: "the script to write, e.g. \"session.loupe\"")],
            result: "nothing", example: "save_session \"mnist.loupe\"", recordsInHistory: false) { invocation in
                let path = try invocation.arguments.string("file")
                if invocation.writesFiles { try FileWriting.write(invocation.session.replayScript(), to: path, parameter: "file") }
                let count = invocation.session.history.count
                invocation.write("saved \(count) statement\(count == 1 ? "" : "s") to \(path)")
                return .none
            })
        register(CommandSpec(
            name: "source", group: "Session", summary: "run a script inside the current session",
            parameters: [.positional("file", .string, help: "the .loupe script")],
            result: "nothing", example: "source \"prepare.loupe\"", recordsInHistory: false) { invocation in
                try SessionCommands.source(invocation)
            })
        register(CommandSpec(
            name: "quit", group: "Session", summary: "leave Loupe (Ctrl-D too)",
            result: "nothing", example: "quit", recordsInHistory: false) { invocation in
                invocation.session.quitRequested = true
                return .none
            })
        register(CommandSpec(
            name: "export", group: "Session", summary: "write a table (or a value with a table view) as CSV",
            parameters: [.positional("value", .any, help: "a table, or a value such as predictions"),
                         .positional("file", .string, help: "the CSV file to write")],
            result: "nothing", example: "export p \"predictions.csv\"") { invocation in
                let value = invocation.arguments["value"] ?? .none
                let table: Table
                switch value {
                case .table(let t): table = t
                case .object(let object) where object.table != nil: table = object.table!
                default:
                    throw CommandError.invalidArgument(parameter: "value", message: "\(value.kindWithArticle) has no table to export")
                }
                let path = try invocation.arguments.string("file")
                if invocation.writesFiles { try FileWriting.write(table.csv(), to: path, parameter: "file") }
                invocation.write("exported \(table.rows.count) row\(table.rows.count == 1 ? "" : "s") to \(path)")
                return .none
            })
        register(CommandSpec(
            name: "sleep", group: "Session", summary: "wait a number of seconds with a progress bar (Ctrl-C stops it)",
            parameters: [.positional("seconds", .number, help: "how long to wait, from 0 to 86400")],
            result: "nothing", example: "sleep 2") { invocation in
                try SessionCommands.sleep(invocation)
            })
    }
}

/// Implementations too long to sit inline in the declarations.
enum SessionCommands {
    static func source(_ invocation: CommandInvocation) throws -> Value {
        let path = try invocation.arguments.string("file")
        let span = invocation.call.arguments.first?.value.span
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "it is not readable UTF-8 text" : "no such file"
            throw LoupeError.unreadableFile(Diagnostic("cannot read '\(path)': \(reason)", at: span, in: invocation.source))
        }
        let context = invocation.context
        guard context.sourceDepth < RunContext.maxSourceDepth else {
            throw LoupeError.runtime(Diagnostic("'source' nested more than \(RunContext.maxSourceDepth) scripts deep "
                                                + "(does '\(path)' source itself?)", at: span, in: invocation.source))
        }
        context.sourceDepth += 1
        defer { context.sourceDepth -= 1 }
        let file = SourceFile(name: path, text: text)
        for statement in try invocation.interpreter.parse(file) {
            try invocation.interpreter.execute(statement, from: file, in: &invocation.session, context: invocation.context)
            if invocation.session.quitRequested { break }
        }
        return .none
    }

    /// Polls the interruption flag every 10 ms and reports progress every 100 ms.
    static func sleep(_ invocation: CommandInvocation) throws -> Value {
        let seconds = try invocation.arguments.number("seconds")
        guard seconds >= 0, seconds <= 86_400 else {
            throw CommandError.invalidArgument(parameter: "seconds", message: "expected 0 to 86400 seconds, got \(Value.format(seconds))")
        }
        let ticks = Int((seconds * 100).rounded())
        let tenths = max(1, (ticks + 9) / 10)
        invocation.progress.start(ProgressTask(title: "sleep", steps: tenths, unit: ""))
        let total = Value.format(seconds)
        let start = Date()
        var reported = 0
        while true {
            let elapsed = Date().timeIntervalSince(start)
            if elapsed >= seconds { break }
            if invocation.shouldStop() {
                invocation.progress.finish("stopped after \(String(format: "%.1f", elapsed)) s")
                throw CommandError.interrupted
            }
            let tenth = Int(elapsed * 10)
            if tenth > reported {
                reported = tenth
                invocation.progress.update(ProgressUpdate(step: tenth, note: String(format: "%.1f", elapsed) + " of \(total) s"))
            }
            Thread.sleep(forTimeInterval: min(0.01, seconds - elapsed))
        }
        invocation.progress.update(ProgressUpdate(step: tenths, note: "\(total) of \(total) s"))
        invocation.progress.finish(nil)
        return .none
    }
}

/// Writing user files: parent folders are created, and failures name the file.
public enum FileWriting {
    /// Writes through a temporary file and a rename, so a failed write keeps the old file.
    public static func write(_ text: String, to path: String, parameter: String) throws(CommandError) {
        do {
            try write(Array(text.utf8), to: path)
        } catch {
            throw .invalidArgument(parameter: parameter, message: "cannot write '\(path)': \(FileErrorText.describe(error, path: path))")
        }
    }

    /// Creates the parent folders, then replaces the file through LoupeBase's `AtomicWrite`
    /// (a temporary beside it, flushed, renamed; temporaries of killed writes swept), as models,
    /// figures and reports are written. Errors go through `FileErrorText.describe`.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try AtomicWrite.write(bytes, to: path)
    }
}
