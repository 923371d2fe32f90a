import Foundation
import LoupeKernel
import LoupeLang
import LoupeMPI

/// Runs a script (`loupe run FILE`, or `loupe < FILE`) and returns the exit code.
///
/// Under mpirun (`group` set) every rank runs every statement; rank 0 alone prints and writes
/// files. After each statement the ranks agree on whether any failed: rank 0 reports the others'
/// failures ("rank N: …") and every rank stops with the same exit code (docs/distributed.md).
struct ScriptRunner {
    let interpreter: Interpreter
    var group: MPICommunicator? = nil

    /// `loupe run …`: 0 success, 64 usage, 65 parse error, 66 unreadable file, 70 runtime error, 130 interrupted.
    func run(arguments: [String]) -> Int32 {
        let options: RunOptions
        do {
            options = try RunOptions.parse(arguments)
        } catch {
            Output.err("loupe: \(error.message)\n\(RunOptions.usage)\n")
            return 64
        }
        if options.file == "-" && group != nil {
            // mpirun gives standard input to rank 0 only: the other ranks would run nothing.
            let message = "loupe: under mpirun, give the script as a file: only rank 0 reads standard input"
            return endStatement(failure: (64, message)) ?? 64
        }
        guard let data = Self.readScript(options.file), let text = String(data: data, encoding: .utf8) else {
            var isFolder: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: options.file, isDirectory: &isFolder)
            let reason = !exists ? "no such file" : isFolder.boolValue ? "it is a folder" : "it is not readable UTF-8 text"
            let message = Diagnostic(file: options.file, span: nil, sourceLine: nil, message: "cannot read '\(options.file)': \(reason)").formatted
            return endStatement(failure: (66, message)) ?? 66
        }
        if let code = endStatement(failure: nil) { return code }
        return execute(SourceFile(name: options.file == "-" ? "<stdin>" : options.file, text: text), options: options)
    }

    /// The script's bytes: `-` is standard input; a pipe, FIFO or `/dev/stdin` is read to its end
    /// (FileManager's `contents(atPath:)` reads regular files only). Nil when it cannot be read.
    static func readScript(_ path: String) -> Data? {
        if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
        if let data = FileManager.default.contents(atPath: path) { return data }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue,
              let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        return try? handle.readToEnd() ?? Data()
    }

    /// Runs standard input that is not a terminal: no prompt, no echo, script rules.
    func runStandardInput() -> Int32 {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        let text = String(decoding: data, as: UTF8.self)
        return execute(SourceFile(name: "<stdin>", text: text), options: RunOptions(file: "<stdin>"))
    }

    /// Whether this process prints and writes (always, except on ranks other than 0).
    var isLeader: Bool { (group?.rank ?? 0) == 0 }

    /// Under mpirun: the agreement after a statement (`failure` = this rank's code and message).
    /// Returns nil to carry on, or the code every rank ends with. Rank 0 prints its own failure
    /// here; the others send theirs to rank 0. Alone: prints a failure and returns its code.
    func endStatement(failure: (code: Int32, message: String)?) -> Int32? {
        guard let group else {
            if let failure { Output.err(failure.message + "\n"); return failure.code }
            return nil
        }
        if let failure {
            if isLeader { Output.err(failure.message + "\n") } else { group.reportFailure(code: failure.code, text: failure.message) }
        }
        let code = group.endStatement(code: failure?.code ?? 0, ownText: isLeader ? failure?.message : nil)
        return code == 0 ? nil : code
    }

    func execute(_ source: SourceFile, options: RunOptions) -> Int32 {
        var session = Session(seed: options.seed ?? Session.defaultSeed, workdir: options.workdir ?? Session.defaultWorkdir)
        let wantsIpynb = options.notebook?.lowercased().hasSuffix(".ipynb") ?? false
        let page = options.notebook != nil && !wantsIpynb && isLeader ? Notebook(title: source.name) : nil
        let document = wantsIpynb && isLeader ? NotebookDocument(script: source.text) : nil
        // One display model, three renderers: the terminal, the HTML page, the .ipynb file.
        // Ranks other than 0 render nothing.
        var sinks: [any DisplaySink] = isLeader ? [TextDisplay(output: { Output.out($0) }, progress: Output.progress(quiet: options.quiet))] : []
        if let page { sinks.append(page) }
        if let document { sinks.append(document) }
        let context = RunContext(display: DisplayFanOut(sinks), interruption: Signals.interruption, showsExpressionValues: false,
                                 writesFiles: isLeader, processGroup: group)
        Signals.install()
        Signals.resetForStatement()
        var code: Int32 = 0
        let statements: [Statement]
        do {
            statements = try interpreter.parse(source)
        } catch {
            page?.fail(error.description)
            document?.fail(error, line: error.diagnostic.span?.start.line ?? 1)
            statements = []
            code = endStatement(failure: (error.exitCode, error.description)) ?? error.exitCode
        }
        if code == 0 { code = run(statements, from: source, in: &session, context: context, page: page, document: document) }
        if let path = options.notebook, isLeader {
            do {
                if let page { try page.write(to: path) }
                if let document { try document.write(to: path) }
                if !options.quiet { Output.err("notebook: \(path)\n") }
            } catch {
                Output.err("loupe: cannot write the notebook '\(path)': \(FileErrorText.describe(error, path: path))\n")
                if code == 0 { code = 73 }
            }
        }
        return code
    }

    /// Runs the statements until the end, an error (on any rank) or `quit`; returns the exit code.
    private func run(_ statements: [Statement], from source: SourceFile, in session: inout Session, context: RunContext,
                     page: Notebook?, document: NotebookDocument?) -> Int32 {
        for statement in statements {
            Signals.presses.store(0, ordering: .relaxed)
            page?.begin(statement.text)
            document?.enter(line: statement.span.start.line)
            var failure: (code: Int32, message: String)?
            do {
                try interpreter.execute(statement, from: source, in: &session, context: context)
                page?.end()
            } catch {
                page?.end(error: error.description)
                document?.fail(error, line: nil)
                failure = (error.exitCode, error.description)
            }
            if let code = endStatement(failure: failure) { return code }
            if session.quitRequested { return 0 }
        }
        return 0
    }

    /// `loupe notebook FILE.loupe OUT.ipynb`: the script as a notebook, unexecuted.
    func convert(arguments: [String]) -> Int32 {
        guard arguments.count == 2, arguments[1].lowercased().hasSuffix(".ipynb") else {
            Output.err("loupe: usage: loupe notebook FILE.loupe OUT.ipynb\n")
            return 64
        }
        guard let data = FileManager.default.contents(atPath: arguments[0]), let text = String(data: data, encoding: .utf8) else {
            Output.err("loupe: cannot read '\(arguments[0])'\n")
            return 66
        }
        do {
            try NotebookDocument(script: text).write(to: arguments[1])
        } catch {
            Output.err("loupe: cannot write '\(arguments[1])': \(FileErrorText.describe(error, path: arguments[1]))\n")
            return 73
        }
        return 0
    }
}
