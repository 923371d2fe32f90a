import Foundation

/// Runs parsed statements in a session (stage 3 of lexer → parser → interpreter).
///
/// Each top-level statement runs on a copy of the session that is kept only on success, so
/// an error leaves every variable as it was.
public struct Interpreter {
    public var registry: CommandRegistry

    /// An interpreter with LoupeLang's session commands plus whatever `registry` adds.
    public init(registry: CommandRegistry = .standard()) {
        self.registry = registry
    }

    /// Lexes and parses a source with this interpreter's commands.
    public func parse(_ source: SourceFile) throws(LoupeError) -> [Statement] {
        try Parser.parse(source, commandNames: registry.commandNames)
    }

    /// Runs one top-level statement atomically and records it in the history on success.
    /// - Returns: the statement's value (a command's result or an expression's value), if any.
    @discardableResult
    public func execute(_ statement: Statement, from source: SourceFile, in session: inout Session,
                        context: RunContext) throws(LoupeError) -> Value? {
        context.beginStatement()
        let outcome: Evaluator.Outcome
        do {
            var evaluator = Evaluator(interpreter: self, source: source, context: context, session: session)
            outcome = try evaluator.run(statement)
            session = evaluator.session
        }
        // The evaluator's copy of the session is gone here, so the history below is appended
        // in place: while the copy lived, every append copied the whole history, and a script
        // ran in time growing with the square of its statement count.
        if let replay = outcome.replay {
            session.history.append(HistoryEntry(text: statement.text, replay: replay))
        }
        // A command that stops cleanly on Ctrl-C (train keeps its run) has finished the
        // statement: its result is kept, and the interruption is reported here, at this
        // statement, rather than at the next one, which never starts.
        if context.interruption.isRequested {
            throw .interrupted(Diagnostic(Evaluator.interruptedAfter, at: statement.span, in: source))
        }
        return outcome.value
    }

    /// Parses and runs a whole source, statement by statement, until the end, an error or `quit`.
    /// `observe` sees each statement before (`nil` result) and after it runs.
    public func run(_ source: SourceFile, in session: inout Session, context: RunContext,
                    observe: ((Statement, StatementEvent) -> Void)? = nil) throws(LoupeError) {
        let statements = try parse(source)
        for statement in statements {
            observe?(statement, .willRun)
            do {
                let value = try execute(statement, from: source, in: &session, context: context)
                observe?(statement, .finished(value))
            } catch {
                observe?(statement, .failed(error))
                throw error
            }
            if session.quitRequested { return }
        }
    }
}

/// What `Interpreter.run` reports about each statement (for notebooks).
public enum StatementEvent {
    case willRun
    case finished(Value?)
    case failed(LoupeError)
}

/// The state of running one top-level statement.
struct Evaluator {
    let interpreter: Interpreter
    let source: SourceFile
    let context: RunContext
    var session: Session
    /// Statements and expressions being evaluated inside each other, counted on the context
    /// so that scripts run by `source` from deep inside a block add to the same count.
    var depth: Int {
        get { context.evaluationDepth }
        nonmutating set { context.evaluationDepth = newValue }
    }

    /// The parser refuses deeper nesting in one script; this guards the stack against trees
    /// built otherwise and against nested blocks that each `source` a deeply nested script.
    static let maxDepth = Parser.maxDepth + 50

    struct Outcome {
        var value: Value?
        /// How the statement replays in a saved session; `nil` keeps it out of the history.
        var replay: String?
    }

    /// Set by a command that asks its statement to replay differently (`CommandInvocation.replayArguments`).
    var replayArguments: (call: CommandCall, arguments: [(name: String, value: String)])?

    /// The message of a statement that finished although Ctrl-C was pressed while it ran.
    static let interruptedAfter = "interrupted; what the statement finished is kept"

    func fail(_ message: String, at span: SourceSpan?) -> LoupeError {
        .runtime(Diagnostic(message, at: span, in: source))
    }

    func show(_ value: Value) { context.showResult(value) }

    /// Counts one more level of evaluation; past `maxDepth` it throws, located at `span`.
    mutating func enterNesting(at span: SourceSpan?) throws(LoupeError) {
        depth += 1
        if depth > Evaluator.maxDepth {
            throw fail("nested more than \(Evaluator.maxDepth) levels deep: split it into several statements with variables", at: span)
        }
    }

    mutating func run(_ statement: Statement) throws(LoupeError) -> Outcome {
        try enterNesting(at: statement.span)
        defer { depth -= 1 }
        if context.interruption.isRequested {
            throw .interrupted(Diagnostic("interrupted", at: statement.span, in: source))
        }
        switch statement.kind {
        case .assignment(let name, _, let expression):
            let value = try evaluate(expression)
            session.variables[name] = value
            if case .command = expression.kind {
                session.lastResult = value
                // At the REPL and in a notebook, a command that said nothing of its own result
                // gets a one-line summary, so every `x = command …` giving an object answers (`m: resnet20 …`),
                // as `d = dataset …` always did. Scripts stay as quiet as the commands are.
                if context.showsExpressionValues && !context.saidSomething, case .object = value { context.emit(.text("\(name): \(value.summary)\n")) }
            }
            return Outcome(value: value, replay: replayText(of: statement))
        case .command(let call):
            let value = try runCommand(call, resultIsShown: true)
            show(value)
            if !value.isNone { session.lastResult = value }
            let records = interpreter.registry[call.name]?.recordsInHistory ?? true
            return Outcome(value: value, replay: records ? replayText(of: statement) : nil)
        case .expression(let expression):
            let value = try evaluate(expression)
            session.lastResult = value
            let shown = context.showsExpressionValues && !value.isNone
            if shown { show(value) }
            return Outcome(value: value, replay: shown ? "print " + statement.text : statement.text)
        case .print(let expressions):
            var parts: [String] = []
            var last = Value.none
            for expression in expressions {
                last = try evaluate(expression)
                parts.append(last.display)
            }
            context.output(parts.joined(separator: " ") + "\n")
            // `_` follows print too, so a REPL expression saved as `print EXPR` replays the same.
            session.lastResult = last
            return Outcome(value: nil, replay: statement.text)
        case .forLoop(let variable, _, let sequence, let body):
            let items: [Value]
            switch try evaluate(sequence) {
            case .list(let values), .tuple(let values): items = values
            case .table(let table): items = table.rows.map { Value.list($0) }
            case let other:
                throw fail("'for' needs a list to go through, but this is \(other.kindWithArticle)", at: sequence.span)
            }
            loop: for item in items {
                session.variables[variable] = item
                for inner in body {
                    _ = try runInBlock(inner)
                    if session.quitRequested { break loop }
                }
            }
            return Outcome(value: nil, replay: statement.text)
        case .ifElse(let condition, let then, let otherwise):
            let branch = try evaluate(condition).isTruthy ? then : (otherwise ?? [])
            for inner in branch where !session.quitRequested { _ = try runInBlock(inner) }
            return Outcome(value: nil, replay: statement.text)
        case .time(let inner):
            let start = Date()
            let outcome = try run(inner)
            context.output("time: \(Evaluator.seconds(Date().timeIntervalSince(start)))\n")
            return Outcome(value: outcome.value, replay: outcome.replay)
        }
    }

    /// A statement inside a block: one that finishes while Ctrl-C is pressed stops the block
    /// there, named in the message (the block as a whole fails, so the session keeps none of it).
    mutating func runInBlock(_ statement: Statement) throws(LoupeError) -> Outcome {
        let outcome = try run(statement)
        if context.interruption.isRequested {
            throw .interrupted(Diagnostic(Evaluator.interruptedAfter, at: statement.span, in: source))
        }
        return outcome
    }

    /// The statement as it replays: as typed, with the arguments its command asked to replay
    /// with (`replayArguments`) in place of the same-named numbers or words typed (`stop_after=2`,
    /// `cache=auto`), or added at the end.
    /// Only a statement that is the call itself (`train …`, `run = train …`) is rewritten.
    func replayText(of statement: Statement) -> String {
        guard let (call, arguments) = replayArguments else { return statement.text }
        switch statement.kind {
        case .command(let c) where c == call: break
        case .assignment(_, _, let e) where e.kind == .command(call): break
        default: return statement.text
        }
        var text = Array(statement.text)
        // Character offset in `text` of a location in the source (columns count characters).
        func offset(_ location: SourceLocation) -> Int? {
            var line = statement.span.start.line, column = statement.span.start.column
            for (i, c) in text.enumerated() {
                if line == location.line && column == location.column { return i }
                if c.isNewline { line += 1; column = 1 } else { column += 1 }
            }
            return nil
        }
        var added: [String] = []
        for (name, value) in arguments {
            if let typed = call.arguments.first(where: { $0.label == name }), typed.value.isSingleWord,
               let label = typed.labelSpan, let from = offset(label.start), let to = offset(typed.value.span.start),
               to + typed.value.span.length <= text.count {
                text.replaceSubrange(from..<(to + typed.value.span.length), with: Array("\(name)=\(value)"))
            } else {
                added.append("\(name)=\(value)")
            }
        }
        return String(text) + added.map { " " + $0 }.joined()
    }

    /// Wall time as `0.123 s`, `12.3 s`, or `2 min 5.0 s`.
    static func seconds(_ t: Double) -> String {
        if t < 10 { return String(format: "%.3f s", t) }
        if t < 60 { return String(format: "%.1f s", t) }
        return String(format: "%d min %.1f s", Int(t / 60), t.truncatingRemainder(dividingBy: 60))
    }
}

extension Expression {
    /// A literal number, `true`/`false` or a bare word: a value `replayText` may replace in place.
    var isSingleWord: Bool {
        switch kind {
        case .number, .bool, .name: return true
        default: return false
        }
    }
}
