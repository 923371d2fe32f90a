import Foundation
import LoupeLang

/// The interactive loop: prompt, read (more lines while input is incomplete), run, repeat.
struct REPL {
    let interpreter: Interpreter
    static let version = LoupeVersion.current

    /// `LOUPE_HISTORY` (for tests) or `~/.loupe_history`.
    static var historyPath: String {
        if let path = ProcessInfo.processInfo.environment["LOUPE_HISTORY"], !path.isEmpty { return path }
        return HomePath.expand("~/.loupe_history")
    }

    func run() -> Int32 {
        Signals.install()
        let editor = LineEditor(historyPath: REPL.historyPath)
        var session = Session()
        let context = RunContext(output: { Output.out($0) }, progress: Output.progress(quiet: false),
                                 interruption: Signals.interruption, showsExpressionValues: true)
        Output.out("Loupe \(REPL.version) — type help for commands, quit or Ctrl-D to leave.\n")
        var buffer = ""
        while !session.quitRequested {
            editor.setCompleter(Completer(registry: interpreter.registry, session: session))
            let prompt = "loupe [\(session.history.count + 1)]> "
            let continuation = String(repeating: " ", count: prompt.count - 5) + "...> "
            switch editor.read(prompt: buffer.isEmpty ? prompt : continuation) {
            case .endOfInput:
                Output.out("\n")
                session.quitRequested = true
            case .cancelled:
                buffer = ""
            case .line(let line):
                buffer += buffer.isEmpty ? line : "\n" + line
                if Lexer.needsMoreInput(buffer) { continue }
                let entry = buffer
                buffer = ""
                guard !entry.allSatisfy(\.isWhitespace) else { continue }
                editor.remember(entry)
                run(entry, in: &session, context: context)
            }
        }
        editor.close()
        return 0
    }

    /// Runs what was typed (or pasted: possibly several statements), stopping at the first error.
    func run(_ entry: String, in session: inout Session, context: RunContext) {
        let source = SourceFile(name: "<stdin>", text: entry)
        do {
            for statement in try interpreter.parse(source) {
                Signals.resetForStatement()
                try interpreter.execute(statement, from: source, in: &session, context: context)
                if session.quitRequested { return }
            }
        } catch {
            Output.err(error.description + "\n")
        }
        Signals.resetForStatement()
    }
}
