/// What a statement shows while it runs, as events that every front end renders its own way.
///
/// Commands and the interpreter emit these; the terminal REPL, the script runner, the
/// `--notebook` pages and the Jupyter kernel are four renderers of the same events. A renderer
/// decides the form (a redrawn bar on a terminal, an `update_display_data` in Jupyter, nothing
/// with `--quiet`); the emitter decides only what there is to show, and says it once.
public enum DisplayEvent {
    /// Text exactly as printed (it carries its own newlines): `print`, command messages.
    case text(String)
    /// Something likely to hurt the result; the renderer marks it ("warning: …").
    case warning(String)
    /// A table a command shows as part of its output (not its result).
    case table(Table)
    /// A figure a command wrote. `id` names a figure that is redrawn while the statement runs
    /// (a run's loss curves after every epoch): renderers that can replace it in place do.
    case figure(FigureDisplay)
    /// The statement's value, shown once: a bare expression in the REPL or a kernel cell, or a
    /// command statement's result.
    case result(Value)
    /// A long task began, advanced, or ended (see `ProgressReporter`).
    case progressStarted(ProgressTask)
    case progressUpdated(ProgressUpdate)
    case progressFinished(String?)
    /// One finished step of a task that reports a row per step (an epoch): terminals print
    /// `line`, notebooks collect the rows into a table.
    case row(ProgressRow)
    /// Help text (`help`, `? NAME`): printed on a terminal, a pager in Jupyter (as IPython's `?`).
    case help(String)
    /// Clears what the statement's cell showed so far (`clear`); terminals keep their scrollback.
    case clear
}

/// A figure on disk, as a command wrote it.
public struct FigureDisplay: Sendable, Equatable {
    public var path: String
    public var title: String
    /// Stable within a statement for a figure redrawn in place; `nil` for a figure shown once.
    public var id: String?

    public init(path: String, title: String, id: String? = nil) {
        self.path = path
        self.title = title
        self.id = id
    }
}

/// One row of a task's per-step table (an epoch of training).
public struct ProgressRow {
    /// The table the row belongs to ("train", "head").
    public var title: String
    public var columns: [String]
    public var values: [Value]
    /// The row as one line of text, for terminals and logs.
    public var line: String

    public init(title: String, columns: [String], values: [Value], line: String) {
        self.title = title
        self.columns = columns
        self.values = values
        self.line = line
    }
}

/// Receives display events; each front end has one.
public protocol DisplaySink: AnyObject {
    func emit(_ event: DisplayEvent)
}

/// Progress as display events: what `RunContext.progress` hands to commands.
public final class DisplayProgress: ProgressReporter {
    let sink: any DisplaySink

    public init(_ sink: any DisplaySink) { self.sink = sink }

    public func start(_ task: ProgressTask) { sink.emit(.progressStarted(task)) }
    public func update(_ update: ProgressUpdate) { sink.emit(.progressUpdated(update)) }
    public func finish(_ summary: String?) { sink.emit(.progressFinished(summary)) }
}

/// Renders events as plain text through closures: what the terminal and scripts show.
///
/// Results, messages, warnings, figures (as `figure: PATH`) and rows go to `output`; progress
/// goes to `progress` (a bar or lines on stderr, or nothing).
public final class TextDisplay: DisplaySink {
    let output: (String) -> Void
    let progress: any ProgressReporter

    public init(output: @escaping (String) -> Void, progress: any ProgressReporter = SilentProgress()) {
        self.output = output
        self.progress = progress
    }

    public func emit(_ event: DisplayEvent) {
        switch event {
        case .text(let text): output(text)
        case .warning(let text): output("warning: " + text + "\n")
        case .table(let table): output(table.formatted() + "\n")
        case .figure(let figure):
            // A figure redrawn in place (a run's curves) belongs to displays that can redraw;
            // the command names its files in its own closing line.
            if figure.id == nil { output("figure: \(figure.path)\n") }
        case .result(let value): if !value.isNone { output(value.display + "\n") }
        case .progressStarted(let task): progress.start(task)
        case .progressUpdated(let update): progress.update(update)
        case .progressFinished(let summary): progress.finish(summary)
        case .row(let row): output(row.line + "\n")
        case .help(let text): output(text + "\n")
        case .clear: break
        }
    }
}

/// Sends every event to several sinks (the terminal and a notebook page at once).
public final class DisplayFanOut: DisplaySink {
    let sinks: [any DisplaySink]
    public init(_ sinks: [any DisplaySink]) { self.sinks = sinks }
    public func emit(_ event: DisplayEvent) { for sink in sinks { sink.emit(event) } }
}
