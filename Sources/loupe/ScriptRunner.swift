import Foundation
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
        let notebook = options.notebook.map { _ in Notebook(title: source.name) }
        let context = RunContext(output: { text in
            Output.out(text)
            notebook?.append(output: text)
        }, progress: Output.progress(quiet: options.quiet), interruption: Signals.interruption, showsExpressionValues: false)
        Signals.install()
        Signals.resetForStatement()
        var code: Int32 = 0
        do {
            try interpreter.run(source, in: &session, context: context) { statement, event in
                switch event {
                case .willRun:
                    Signals.presses.store(0, ordering: .relaxed)
                    notebook?.begin(statement.text)
                case .finished(let value):
                    notebook?.end(figures: value?.figurePaths ?? [])
                case .failed(let error):
                    notebook?.end(figures: [], error: error.description)
                }
            }
        } catch {
            Output.err(error.description + "\n")
            if case .syntax = error { notebook?.fail(error.description) }
            code = error.exitCode
        }
        if let path = options.notebook, let notebook {
            do {
                try notebook.write(to: path)
                if !options.quiet { Output.err("notebook: \(path)\n") }
            } catch {
                Output.err("loupe: cannot write the notebook '\(path)': \(error.localizedDescription)\n")
                if code == 0 { code = 73 }
            }
        }
        return code
    }
}
