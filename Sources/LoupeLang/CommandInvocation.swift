/// What a running command sees: its checked arguments, the session, output and progress.
///
/// Changes a command makes to `session` are kept only when it returns without throwing.
public final class CommandInvocation {
    public let arguments: Arguments
    public var session: Session
    public let context: RunContext
    /// The command's name and where it was called, for messages.
    public let call: CommandCall
    public let source: SourceFile
    /// The interpreter running this command (for `source`, `help`).
    public let interpreter: Interpreter

    init(arguments: Arguments, session: Session, context: RunContext, call: CommandCall, source: SourceFile,
         interpreter: Interpreter) {
        self.arguments = arguments
        self.session = session
        self.context = context
        self.call = call
        self.source = source
        self.interpreter = interpreter
    }

    /// Writes text (a newline is added) to the output of the statement.
    public func write(_ line: String) {
        context.output(line + "\n")
    }

    /// Whether the interpreter will print this command's result summary after it returns: true
    /// for a command statement of its own (`train m d`), false inside an assignment or an
    /// expression (`run = train m d`). A command that wants its summary shown exactly once
    /// writes it itself only when this is false.
    public internal(set) var resultIsShown = false

    /// Arguments the statement's line in `history` and `save_session` gets instead of (or in
    /// addition to) those typed, so that the replay reproduces what this call did: a `train`
    /// stopped by Ctrl-C after 2 epochs replays as `train … stop_after=2`.
    public var replayArguments: [(name: String, value: String)] = []

    /// Progress of a long task, rendered by the front end.
    public var progress: any ProgressReporter { context.progress }

    /// Shows an event (a figure, a warning, a table, a row) where the front end puts output.
    public func show(_ event: DisplayEvent) { context.emit(event) }

    /// Shows a figure the command wrote; `id` names one redrawn in place while the command runs.
    public func showFigure(_ path: String, title: String, id: String? = nil) {
        context.emit(.figure(FigureDisplay(path: path, title: title, id: id)))
    }

    /// Says that the command's own output already showed its result, so the interpreter does
    /// not show the result's summary after it (`report` names its files itself).
    public func resultWasShown() { context.skipNextResult = true }

    /// Shows a warning (the front end marks it).
    public func warn(_ text: String) { context.emit(.warning(text)) }

    /// Whether this process writes the files commands make (see `RunContext.writesFiles`).
    public var writesFiles: Bool { context.writesFiles }

    /// Whether the user asked to stop (Ctrl-C); poll it between batches.
    public func shouldStop() -> Bool { context.interruption.isRequested }

    /// Throws `CommandError.interrupted` when the user asked to stop.
    public func checkInterrupted() throws(CommandError) {
        if shouldStop() { throw .interrupted }
    }
}

/// The checked arguments of a call, with defaults filled in.
public struct Arguments {
    public private(set) var values: [String: Value]
    /// Parameters the call named or gave positionally (not filled from defaults).
    public private(set) var given: Set<String>
    /// Where each given argument's value was written, so failures can point at it.
    var spans: [String: SourceSpan] = [:]

    public init(values: [String: Value], given: Set<String>) {
        self.values = values
        self.given = given
    }

    /// The argument, or `nil` for an optional parameter that was not given and has no default.
    public subscript(name: String) -> Value? {
        guard let value = values[name], !(value.isNone && !given.contains(name)) else { return nil }
        return value
    }

    public func isGiven(_ name: String) -> Bool { given.contains(name) }

    public func number(_ name: String) throws(CommandError) -> Double {
        guard case .number(let n)? = self[name] else { throw missing(name, "a number") }
        return n
    }

    public func integer(_ name: String) throws(CommandError) -> Int {
        guard case .number(let n)? = self[name], n == n.rounded(), abs(n) < 1e15 else { throw missing(name, "an integer") }
        return Int(n)
    }

    public func string(_ name: String) throws(CommandError) -> String {
        guard case .string(let s)? = self[name] else { throw missing(name, "a string") }
        return s
    }

    public func bool(_ name: String) throws(CommandError) -> Bool {
        guard case .bool(let b)? = self[name] else { throw missing(name, "true or false") }
        return b
    }

    public func size(_ name: String) throws(CommandError) -> (width: Int, height: Int) {
        guard case .size(let w, let h)? = self[name] else { throw missing(name, "a size") }
        return (w, h)
    }

    public func list(_ name: String) throws(CommandError) -> [Value] {
        guard case .list(let items)? = self[name] else { throw missing(name, "a list") }
        return items
    }

    public func table(_ name: String) throws(CommandError) -> Table {
        guard case .table(let table)? = self[name] else { throw missing(name, "a table") }
        return table
    }

    /// The object argument as the caller's own type.
    public func object<T: LoupeObject>(_ name: String, as type: T.Type) throws(CommandError) -> T {
        guard case .object(let object)? = self[name], let typed = object as? T else {
            throw missing(name, "an object of type \(T.self)")
        }
        return typed
    }

    private func missing(_ name: String, _ expected: String) -> CommandError {
        .invalidArgument(parameter: name, message: "expected \(expected) (the command's declaration and its implementation disagree)")
    }
}

/// Where a statement's output and progress go, and the interruption flag it polls.
///
/// Everything a statement shows is a `DisplayEvent` sent to `display`; `output` and `progress`
/// are the same sink seen as text and as a progress reporter.
public final class RunContext {
    public let display: any DisplaySink
    /// Receives all text a statement prints (values, `print`, command messages).
    public var output: (String) -> Void { { [unowned self] text in self.emit(.text(text)) } }
    public let progress: any ProgressReporter
    public let interruption: InterruptFlag
    /// REPL and kernel: expression statements show their value. Scripts: only `print` and command results show.
    public let showsExpressionValues: Bool
    /// Whether commands write files (figures, reports, models, logs). False on the ranks of a
    /// data-parallel job other than rank 0: they run every statement but leave the files to it.
    public let writesFiles: Bool
    /// The processes running this script together (a data-parallel job), opaque to the language:
    /// the command families below it know what it is. nil for one process.
    public let processGroup: AnyObject?
    /// Figures shown since the current top-level statement began, so a result that is only a
    /// figure already shown is not said twice.
    private var figuresShown: Set<String> = []

    public init(display: any DisplaySink, interruption: InterruptFlag = InterruptFlag(), showsExpressionValues: Bool,
                writesFiles: Bool = true, processGroup: AnyObject? = nil) {
        self.display = display
        self.writesFiles = writesFiles
        self.processGroup = processGroup
        self.progress = DisplayProgress(display)
        self.interruption = interruption
        self.showsExpressionValues = showsExpressionValues
    }

    /// Text through a closure and progress through a reporter (tests, simple front ends).
    public convenience init(output: @escaping (String) -> Void, progress: any ProgressReporter = SilentProgress(),
                            interruption: InterruptFlag = InterruptFlag(), showsExpressionValues: Bool) {
        self.init(display: TextDisplay(output: output, progress: progress), interruption: interruption,
                  showsExpressionValues: showsExpressionValues)
    }


    /// Scripts being run by `source` inside each other (a script that sources itself would
    /// otherwise recurse until the stack overflows).
    var sourceDepth = 0
    /// Deeper `source` nesting than this is refused with a message.
    public static let maxSourceDepth = 32
    /// Statements and expressions being evaluated inside each other, across `source` (see `Evaluator`).
    var evaluationDepth = 0

    /// Set by a command whose own output already showed its result.
    var skipNextResult = false
    /// Whether the current top-level statement has shown anything but progress.
    private(set) var saidSomething = false

    /// Shows an event, remembering figures so that results repeat none.
    public func emit(_ event: DisplayEvent) {
        switch event {
        case .figure(let figure): figuresShown.insert(figure.path); saidSomething = true
        case .progressStarted, .progressUpdated, .progressFinished: break
        default: saidSomething = true
        }
        display.emit(event)
    }

    /// Shows a statement's value once: nothing for `none`, nothing for a figure already shown.
    func showResult(_ value: Value) {
        guard !value.isNone, !skipNextResult else { return }
        if case .object(let object) = value, object.kind == "figure",
           !object.figurePaths.isEmpty, object.figurePaths.allSatisfy(figuresShown.contains) { return }
        emit(.result(value))
    }

    /// Called before each top-level statement.
    func beginStatement() {
        figuresShown = []
        skipNextResult = false
        saidSomething = false
    }
}
