import Foundation
import LoupeKernel
import LoupeLang

/// Runs a script (`loupe run FILE`, or `loupe < FILE`) and returns the exit code.
struct ScriptRunner {
    let interpreter: Interpreter

    /// `loupe run …`: 0 success, 64 usage, 65 parse error, 66 unreadable file, 70 runtime error, 130 interrupted.
    func run(arguments: [String]) -> Int32 {
        let options: RunOptions
        do {
            options = try RunOptions.parse(arguments)
        } catch {
            Output.err("loupe: \(error.message)\n\(RunOptions.usage)\n")
            return 64
        }
        guard let data = FileManager.default.contents(atPath: options.file),
              let text = String(data: data, encoding: .utf8) else {
            var isFolder: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: options.file, isDirectory: &isFolder)
            let reason = !exists ? "no such file" : isFolder.boolValue ? "it is a folder" : "it is not readable UTF-8 text"
            Output.err(Diagnostic(file: options.file, span: nil, sourceLine: nil,
                                  message: "cannot read '\(options.file)': \(reason)").formatted + "\n")
            return 66
        }
        return execute(SourceFile(name: options.file, text: text), options: options)
    }

    /// Runs standard input that is not a terminal: no prompt, no echo, script rules.
    func runStandardInput() -> Int32 {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        let text = String(decoding: data, as: UTF8.self)
        return execute(SourceFile(name: "<stdin>", text: text), options: RunOptions(file: "<stdin>"))
    }

    func execute(_ source: SourceFile, options: RunOptions) -> Int32 {
        var session = Session(seed: options.seed ?? Session.defaultSeed, workdir: options.workdir ?? Session.defaultWorkdir)
        let wantsIpynb = options.notebook?.lowercased().hasSuffix(".ipynb") ?? false
        let page = options.notebook != nil && !wantsIpynb ? Notebook(title: source.name) : nil
        let document = wantsIpynb ? NotebookDocument(script: source.text) : nil
        // One display model, three renderers: the terminal, the HTML page, the .ipynb file.
        var sinks: [any DisplaySink] = [TextDisplay(output: { Output.out($0) }, progress: Output.progress(quiet: options.quiet))]
        if let page { sinks.append(page) }
        if let document { sinks.append(document) }
        let context = RunContext(display: DisplayFanOut(sinks), interruption: Signals.interruption, showsExpressionValues: false)
        Signals.install()
        Signals.resetForStatement()
        var code: Int32 = 0
        do {
            try interpreter.run(source, in: &session, context: context) { statement, event in
                switch event {
                case .willRun:
                    Signals.presses.store(0, ordering: .relaxed)
                    page?.begin(statement.text)
                    document?.enter(line: statement.span.start.line)
                case .finished(_):
                    page?.end()
                case .failed(let error):
                    page?.end(error: error.description)
                    document?.fail(error, line: nil)
                }
            }
        } catch {
            Output.err(error.description + "\n")
            if case .syntax = error {
                page?.fail(error.description)
                document?.fail(error, line: error.diagnostic.span?.start.line ?? 1)
            }
            code = error.exitCode
        }
        if let path = options.notebook {
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
