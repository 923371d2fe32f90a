import Foundation
import HTMLPages
import LoupeLang

/// Renders display events as iopub messages for the cell that is running.
///
/// Text becomes `stream`, a statement's value `execute_result` (text/plain, and text/html for
/// tables), every figure `display_data` with `image/png`. Progress is one display per cell,
/// created with a `transient.display_id` and redrawn with `update_display_data` at most four
/// times a second: a bar while a task runs, ending as the table of finished epochs (as fastai's
/// fastprogress does). A figure with an id (a run's curves) is redrawn in place the same way.
/// A saved notebook keeps the last state of each.
final class KernelDisplay: DisplaySink {
    unowned let kernel: Kernel
    private var parent: Message?
    private var executionCount = 0
    private var silent = false
    /// Figures shown in this cell, so a result repeats none of them.
    private var shownFigures: Set<String> = []
    /// In-place figures already created in this cell, by id.
    private var liveFigures: Set<String> = []
    private var progress: ProgressArea?
    private var progressSerial = 0
    /// The text of the cell's last result (`Out[n]`), for `history` with output.
    private(set) var lastResultText: String?
    /// Help texts of the cell, sent as pager payloads with the reply.
    private(set) var pages: [String] = []

    /// Seconds between two redraws of the progress display (at most ~4 a second).
    static let redrawInterval = 0.25

    init(kernel: Kernel) { self.kernel = kernel }

    func begin(_ request: Message, executionCount: Int, silent: Bool) {
        parent = request
        self.executionCount = executionCount
        self.silent = silent
        shownFigures = []
        liveFigures = []
        progress = nil
        lastResultText = nil
        pages = []
    }

    func end() {
        if var area = progress, area.task != nil {
            area.finishTask(nil, now: Date().timeIntervalSinceReferenceDate)
            progress = area
            sendProgress(force: true)
        }
        parent = nil
    }

    func emit(_ event: DisplayEvent) {
        guard !silent, let parent else { return }
        let now = Date().timeIntervalSinceReferenceDate
        // Output after a finished task closes its progress display: the next task gets a new
        // one below that output, so bars and tables stay where their statements are. (A run's
        // curves and epoch rows between two epochs keep the display.)
        switch event {
        case .text, .warning, .table, .result, .help:
            if progress?.task == nil { progress = nil }
        case .figure(let figure) where figure.id == nil:
            if progress?.task == nil { progress = nil }
        default: break
        }
        switch event {
        case .text(let text):
            kernel.publish("stream", ["name": "stdout", "text": text], parent: parent)
        case .warning(let text):
            kernel.publish("stream", ["name": "stderr", "text": "warning: \(text)\n"], parent: parent)
        case .table(let table):
            kernel.publish("display_data", ["data": KernelDisplay.tableData(table), "metadata": JSON()], parent: parent)
        case .figure(let figure):
            showFigure(figure)
        case .result(let value):
            lastResultText = value.display
            var data: JSON = ["text/plain": value.display]
            if case .table(let table) = value { data = KernelDisplay.tableData(table) }
            // A value that carries figures not yet shown in this cell shows the first of them.
            if let path = value.figurePaths.first(where: { !shownFigures.contains($0) }), let png = KernelDisplay.png(path) {
                data["image/png"] = png
            }
            kernel.publish("execute_result", ["data": data, "metadata": JSON(), "execution_count": executionCount], parent: parent)
        case .progressStarted(let task):
            if progress == nil {
                progressSerial += 1
                progress = ProgressArea(id: "loupe-progress-\(parent.id)-\(progressSerial)")
            }
            progress?.start(task, now: now)
            sendProgress(force: false)
        case .progressUpdated(let update):
            progress?.update = update
            sendProgress(force: false)
        case .progressFinished(let summary):
            progress?.finishTask(summary, now: now)
            sendProgress(force: true)
        case .help(let text):
            pages.append(text)
        case .clear:
            kernel.publish("clear_output", ["wait": false], parent: parent)
            liveFigures = []
            progress = nil
        case .row(let row):
            if progress == nil {
                progressSerial += 1
                progress = ProgressArea(id: "loupe-progress-\(parent.id)-\(progressSerial)")
            }
            progress?.rows.append(row)
            sendProgress(force: true)
        }
    }

    private func showFigure(_ figure: FigureDisplay) {
        guard let parent, let png = KernelDisplay.png(figure.path) else {
            emit(.text("figure: \(figure.path) (cannot be read back to show it)\n"))
            return
        }
        shownFigures.insert(figure.path)
        let data: JSON = ["image/png": png, "text/plain": "\(figure.title) (\(figure.path))"]
        guard let id = figure.id else {
            kernel.publish("display_data", ["data": data, "metadata": JSON()], parent: parent)
            return
        }
        let displayID = "loupe-\(id)-\(parent.id)"
        let type = liveFigures.insert(displayID).inserted ? "display_data" : "update_display_data"
        kernel.publish(type, ["data": data, "metadata": JSON(), "transient": ["display_id": displayID] as JSON], parent: parent)
    }

    private func sendProgress(force: Bool) {
        guard let parent, var area = progress else { return }
        let now = Date().timeIntervalSinceReferenceDate
        guard force || now - area.lastSent >= KernelDisplay.redrawInterval else { return }
        let type = area.created ? "update_display_data" : "display_data"
        area.created = true
        area.lastSent = now
        progress = area
        kernel.publish(type, ["data": area.render(now: now), "metadata": JSON(), "transient": ["display_id": area.id] as JSON],
                       parent: parent)
    }

    /// The PNG file as base64, or nil when it cannot be read.
    static func png(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { $0.base64EncodedString() }
    }

    /// text/plain and text/html of a table.
    static func tableData(_ table: Table) -> JSON {
        ["text/plain": table.formatted(), "text/html": HTMLTable.render(columns: table.columns, rows: table.rows)]
    }
}

/// The progress display of one cell: finished tasks, the rows of finished epochs, the bar.
struct ProgressArea {
    let id: String
    var created = false
    var lastSent = -1.0
    var task: ProgressTask?
    var update: ProgressUpdate?
    var taskStart = 0.0
    var rows: [ProgressRow] = []
    var finished: [String] = []

    init(id: String) { self.id = id }

    mutating func start(_ task: ProgressTask, now: Double) {
        self.task = task
        update = nil
        taskStart = now
    }

    /// Ends the current task; one without rows leaves a line ("evaluate …: done in 0:03").
    mutating func finishTask(_ summary: String?, now: Double) {
        guard let task else { return }
        let fullyDone = update.map { $0.step >= task.steps } ?? false
        // Epoch tasks are summed up by their rows; other tasks leave a line.
        if task.title.range(of: " epoch ") == nil {
            // Without a summary: done, unless the user stopped it (a task of one indefinite
            // step, like review's decoding, never reaches its step count and is done all the same).
            let how = summary ?? (fullyDone || !KernelSignals.interruption.isRequested ? "done" : "stopped")
            finished.append("\(task.title): \(how) in \(ProgressArea.clock(now - taskStart))")
        }
        self.task = nil
        update = nil
    }

    func fraction() -> Double {
        guard let task, let update else { return 0 }
        let total = Double(max(1, (task.epochs ?? 1) * task.steps))
        let done = Double(((update.epoch ?? 1) - 1) * task.steps + update.step)
        return min(1, max(0, done / total))
    }

    func barText(now: Double) -> String? {
        guard let task else { return nil }
        var text = "\(task.title)  \(Int(fraction() * 100))%"
        if let update {
            if !task.unit.isEmpty { text += "  \(task.unit) \(update.step)/\(task.steps)" }
            if let loss = update.loss, loss.isFinite { text += "  loss " + String(format: "%.4f", loss) }
            if let note = update.note { text += "  \(note)" }
        }
        let elapsed = now - taskStart
        text += "  [\(ProgressArea.clock(elapsed))"
        let f = fraction()
        if f > 0, f < 1 { text += " < \(ProgressArea.clock(elapsed * (1 - f) / f))" }
        return text + "]"
    }

    func render(now: Double) -> JSON {
        var plain: [String] = finished
        var html = finished.map { "<div>\(HTML.escape($0))</div>" }.joined()
        if !rows.isEmpty {
            plain += rows.map(\.line)
            html += HTMLTable.render(columns: rows[0].columns, rows: rows.map(\.values))
        }
        if let bar = barText(now: now) {
            plain.append(bar)
            let percent = Int(fraction() * 100)
            html += "<div><progress value=\"\(percent)\" max=\"100\" style=\"width:300px;height:1em;vertical-align:middle\"></progress> "
                + HTML.escape(bar) + "</div>"
        }
        return ["text/plain": plain.joined(separator: "\n"), "text/html": html]
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(max(0, min(seconds, 1e7)).rounded())
        let two = { (n: Int) in n < 10 ? "0\(n)" : "\(n)" }
        return s >= 3600 ? "\(s / 3600):\(two((s / 60) % 60)):\(two(s % 60))" : "\(s / 60):\(two(s % 60))"
    }
}

/// Tables as notebook outputs: numbers right-aligned by inline styles (an output has no page
/// stylesheet, unlike `HTML.table`), text escaped by HTMLPages.
enum HTMLTable {
    static func render(columns: [String], rows: [[Value]]) -> String {
        var html = "<table class=\"loupe-table\"><thead><tr>"
        html += columns.map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        for row in rows {
            html += "<tr>"
            for i in columns.indices {
                let value = i < row.count ? row[i] : .none
                if case .number = value {
                    html += "<td style=\"text-align:right\">\(HTML.escape(Table.cellText(value)))</td>"
                } else {
                    html += "<td style=\"text-align:left\">\(HTML.escape(Table.cellText(value)))</td>"
                }
            }
            html += "</tr>"
        }
        return html + "</tbody></table>"
    }
}
