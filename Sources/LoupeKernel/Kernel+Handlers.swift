import Foundation
import Glibc
import LoupeLang

/// One handler per request type, as the messaging specification lists them.
extension Kernel {
    func handle(_ request: Message, on socket: Socket) {
        // The control thread answers only what needs no session (the main thread owns it).
        if socket === control, !["kernel_info_request", "shutdown_request", "interrupt_request"].contains(request.type) {
            log("'\(request.type)' on the control socket is not handled there (ignored)")
            return
        }
        switch request.type {
        case "kernel_info_request": reply(request, on: socket, kernelInfo())
        case "execute_request": execute(request, on: socket)
        case "complete_request": reply(request, on: socket, complete(request.content))
        case "inspect_request": reply(request, on: socket, inspect(request.content))
        case "is_complete_request": reply(request, on: socket, isComplete(request.content))
        case "history_request": reply(request, on: socket, historyReply(request.content))
        case "comm_info_request": reply(request, on: socket, ["status": "ok", "comms": [String: Any]()])
        case "interrupt_request":
            KernelSignals.interruption.request()
            reply(request, on: socket, ["status": "ok"])
        case "shutdown_request":
            let restart = request.content["restart"] as? Bool ?? false
            KernelSignals.interruption.request()
            reply(request, on: socket, ["status": "ok", "restart": restart])
            publish("status", ["execution_state": "idle"], parent: request)
            // A restart is a new process started by the client: a fresh session either way.
            exitProcess(0)
        default:
            log("no handler for '\(request.type)' (ignored)")
        }
    }

    func kernelInfo() -> JSON {
        [
            "status": "ok",
            "protocol_version": Message.protocolVersion,
            "implementation": "loupe",
            "implementation_version": Kernel.version,
            "language_info": [
                "name": "loupe",
                "version": Kernel.version,
                "mimetype": "text/x-loupe",
                "file_extension": ".loupe",
                "pygments_lexer": "text",
                "codemirror_mode": "shell",
            ] as JSON,
            "banner": "Loupe \(Kernel.version): image classifiers on a CPU. Type help for commands.",
            "help_links": [Any](),
            "debugger": false,
        ]
    }

    // MARK: - execute

    func execute(_ request: Message, on socket: Socket) {
        let content = request.content
        let code = content["code"] as? String ?? ""
        let silent = content["silent"] as? Bool ?? false
        let storesHistory = (content["store_history"] as? Bool ?? true) && !silent
        let stopOnError = content["stop_on_error"] as? Bool ?? true
        if storesHistory { executionCount += 1 }
        let count = executionCount
        if !silent { publish("execute_input", ["code": code, "execution_count": count], parent: request) }
        if storesHistory && !code.allSatisfy(\.isWhitespace) { history.append((count, code)) }

        KernelSignals.interruption.clear()
        setStreamParent(request)
        display.begin(request, executionCount: count, silent: silent)
        let context = RunContext(display: display, interruption: KernelSignals.interruption, showsExpressionValues: true)
        let source = SourceFile(name: "<cell \(count)>", text: code)
        var failure: LoupeError?
        do throws(LoupeError) {
            for statement in try interpreter.parse(source) {
                // A command that stops cleanly on an interrupt (train keeps its run) keeps its
                // result and still ends the cell as interrupted (`Interpreter.execute`), so the
                // notebook says so and queued cells do not run.
                try interpreter.execute(statement, from: source, in: &session, context: context)
                if session.quitRequested {
                    session.quitRequested = false
                    context.output("the kernel keeps running: use the notebook's Kernel menu to shut it down or restart it\n")
                }
            }
        } catch {
            failure = error
        }
        display.end()
        setStreamParent(nil)
        if storesHistory, let text = display.lastResultText { historyOutputs[count] = text }

        guard let failure else {
            // Help goes to the pager, as IPython's `?` does (JupyterLab shows it under the cell).
            let payload: [Any] = display.pages.map { ["source": "page", "data": ["text/plain": $0] as JSON, "start": 0] as JSON }
            reply(request, on: socket, ["status": "ok", "execution_count": count, "user_expressions": userExpressions(content),
                                        "payload": payload])
            return
        }
        let error = errorContent(failure)
        if !silent { publish("error", error, parent: request) }
        var replyContent = error
        replyContent["status"] = "error"
        replyContent["execution_count"] = count
        reply(request, on: socket, replyContent)
        if stopOnError { abortQueuedCells(on: socket) }
    }

    /// ename, evalue and traceback for a failed cell; the traceback holds the located
    /// diagnostic with its caret (`<cell 3>:1:7: error: …`).
    func errorContent(_ error: LoupeError) -> JSON {
        ["ename": error.jupyterName, "evalue": error.diagnostic.message, "traceback": error.tracebackLines]
    }

    /// Loupe has no user expressions to evaluate silently; each requested one says so.
    func userExpressions(_ content: JSON) -> JSON {
        guard let asked = content["user_expressions"] as? JSON, !asked.isEmpty else { return [:] }
        var result: JSON = [:]
        for (name, _) in asked {
            result[name] = ["status": "error", "ename": "NotSupported", "evalue": "Loupe does not evaluate user_expressions",
                            "traceback": [Any]()] as JSON
        }
        return result
    }

    /// After a failed cell, cells already waiting are not run (the client asked to stop on error).
    func abortQueuedCells(on socket: Socket) {
        while socket.hasMessage(within: 0), let frames = socket.receive() {
            guard let message = try? Message.decode(frames, signer: signer) else { continue }
            publish("status", ["execution_state": "busy"], parent: message)
            if message.type == "execute_request" {
                reply(message, on: socket, ["status": "aborted", "execution_count": executionCount])
            } else {
                handle(message, on: socket)
            }
            publish("status", ["execution_state": "idle"], parent: message)
        }
    }

    // MARK: - complete, inspect, is_complete, history

    /// The REPL's completer at the cursor. In a string the word is everything after the opening
    /// quote (a path), elsewhere what follows the last word-breaking character.
    func complete(_ content: JSON) -> JSON {
        let code = content["code"] as? String ?? ""
        let scalars = Array(code.unicodeScalars)
        let cursor = min(max(0, content["cursor_pos"] as? Int ?? scalars.count), scalars.count)
        let start = Kernel.wordStart(scalars, cursor: cursor)
        let before = String(String.UnicodeScalarView(scalars[..<start]))
        let word = String(String.UnicodeScalarView(scalars[start..<cursor]))
        let completer = Completer(registry: interpreter.registry, session: session)
        let result = completer.complete(before: before, word: word)
        return ["status": "ok", "matches": result.candidates, "cursor_start": start, "cursor_end": cursor, "metadata": JSON()]
    }

    static func wordStart(_ scalars: [Unicode.Scalar], cursor: Int) -> Int {
        var lineStart = cursor
        while lineStart > 0 && scalars[lineStart - 1] != "\n" { lineStart -= 1 }
        var lastQuote: Int?
        var inString = false
        var i = lineStart
        while i < cursor {
            if scalars[i] == "\\" && inString { i += 2; continue }
            if scalars[i] == "\"" { inString.toggle(); lastQuote = i }
            if scalars[i] == "#" && !inString { break }
            i += 1
        }
        if inString, let lastQuote { return lastQuote + 1 }
        let breaks = Set(Completer.wordBreakCharacters.unicodeScalars)
        var start = cursor
        while start > lineStart && !breaks.contains(scalars[start - 1]) { start -= 1 }
        return start
    }

    /// `help` for the name at the cursor (a command, a value kind, a keyword or a variable).
    func inspect(_ content: JSON) -> JSON {
        let code = content["code"] as? String ?? ""
        let scalars = Array(code.unicodeScalars)
        let cursor = min(max(0, content["cursor_pos"] as? Int ?? scalars.count), scalars.count)
        func isName(_ s: Unicode.Scalar) -> Bool { s == "_" || s.properties.isAlphabetic || ("0"..."9").contains(s) }
        var start = cursor, end = cursor
        while start > 0 && isName(scalars[start - 1]) { start -= 1 }
        while end < scalars.count && isName(scalars[end]) { end += 1 }
        // A cursor just after `train ` still means train: look back over spaces to the last name.
        if start == end {
            var back = cursor
            while back > 0 && scalars[back - 1] == " " { back -= 1 }
            end = back
            start = back
            while start > 0 && isName(scalars[start - 1]) { start -= 1 }
        }
        let name = String(String.UnicodeScalarView(scalars[start..<end]))
        guard !name.isEmpty, let text = try? HelpText(registry: interpreter.registry, session: session).text(for: name) else {
            return ["status": "ok", "found": false, "data": JSON(), "metadata": JSON()]
        }
        return ["status": "ok", "found": true, "data": ["text/plain": text] as JSON, "metadata": JSON()]
    }

    /// complete, incomplete (an open bracket or brace, a trailing `\`) or invalid (does not parse).
    func isComplete(_ content: JSON) -> JSON {
        let code = content["code"] as? String ?? ""
        if Lexer.needsMoreInput(code) {
            let depth = code.filter { $0 == "{" }.count - code.filter { $0 == "}" }.count
            return ["status": "incomplete", "indent": String(repeating: "    ", count: max(0, depth))]
        }
        do {
            _ = try interpreter.parse(SourceFile(name: "<cell>", text: code))
            return ["status": "complete"]
        } catch {
            return ["status": "invalid"]
        }
    }

    /// This kernel's cells: `tail` (the last n), `range` (all, or start..<stop) and `search`
    /// (a glob pattern, optionally unique). Session number 1 is this process's session.
    func historyReply(_ content: JSON) -> JSON {
        let output = content["output"] as? Bool ?? false
        var entries = history.map { (count: $0.count, code: $0.code) }
        switch content["hist_access_type"] as? String ?? "tail" {
        case "range":
            let start = content["start"] as? Int ?? 0
            let stop = content["stop"] as? Int
            entries = entries.filter { $0.count >= start && (stop == nil || $0.count < stop!) }
        case "search":
            let pattern = content["pattern"] as? String ?? "*"
            entries = entries.filter { fnmatch(pattern, $0.code, 0) == 0 }
            if content["unique"] as? Bool ?? false {
                var seen = Set<String>()
                entries = entries.reversed().filter { seen.insert($0.code).inserted }.reversed()
            }
            if let n = content["n"] as? Int, n >= 0 { entries = Array(entries.suffix(n)) }
        default:
            if let n = content["n"] as? Int, n >= 0 { entries = Array(entries.suffix(n)) }
        }
        let rows: [Any] = entries.map { entry -> Any in
            output ? [1, entry.count, [entry.code, historyOutputs[entry.count].map { $0 as Any } ?? NSNull()]] as [Any]
                : [1, entry.count, entry.code] as [Any]
        }
        return ["status": "ok", "history": rows]
    }
}

extension LoupeError {
    /// The `ename` of a Jupyter error output: SyntaxError, RuntimeError, FileError, Interrupted.
    var jupyterName: String {
        switch self {
        case .syntax: return "SyntaxError"
        case .runtime: return "RuntimeError"
        case .unreadableFile: return "FileError"
        case .interrupted: return "Interrupted"
        }
    }

    /// The located diagnostic with its source line and caret, a line each.
    var tracebackLines: [String] {
        description.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}
