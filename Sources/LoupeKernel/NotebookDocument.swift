import Foundation
import LoupeLang

/// A Jupyter notebook file (nbformat 4.5) built from a script and the display events of its
/// run: `loupe notebook FILE.loupe OUT.ipynb` (cells only) and `loupe run FILE --notebook
/// OUT.ipynb` (with outputs). Outputs take the forms the kernel sends, so a notebook written
/// here reads the same as one executed in Jupyter; a figure redrawn in place keeps its last state.
/// Two differences: `help` is written as text (the kernel sends it to the pager, which a file
/// does not have), and progress bars are left out (only their final tables stay).
public final class NotebookDocument: DisplaySink {
    private struct Cell {
        var source: NotebookCell
        var outputs: [JSON] = []
        var executionCount: Int?
    }

    private var cells: [Cell]
    private var current: Int?
    private var executed = 0
    private var shownFigures: Set<String> = []
    private var liveFigures: [String: Int] = [:]
    private var rows: (output: Int, rows: [ProgressRow])?

    public init(script: String) {
        cells = NotebookCell.split(script).map { Cell(source: $0) }
    }

    /// Outputs from now on belong to the cell holding `line` (a statement's first line).
    public func enter(line: Int) {
        guard let index = cells.firstIndex(where: { $0.source.kind == .code && $0.source.lines.contains(line) }) else { return }
        if index != current {
            current = index
            executed += 1
            cells[index].executionCount = executed
            shownFigures = []
            liveFigures = [:]
        }
        rows = nil
    }

    /// A failed statement: the error output, as the kernel sends it.
    public func fail(_ error: LoupeError, line: Int?) {
        if let line { enter(line: line) }
        append(["output_type": "error", "ename": error.jupyterName, "evalue": error.diagnostic.message,
                "traceback": error.tracebackLines])
    }

    public func emit(_ event: DisplayEvent) {
        switch event {
        case .text(let text): stream("stdout", text)
        case .warning(let text): stream("stderr", "warning: \(text)\n")
        case .table(let table):
            append(["output_type": "display_data", "data": ["text/plain": lines(table.formatted()), "text/html": HTMLTable.render(columns: table.columns, rows: table.rows)] as JSON, "metadata": JSON()])
        case .figure(let figure):
            guard let png = KernelDisplay.png(figure.path) else { stream("stdout", "figure: \(figure.path)\n"); return }
            shownFigures.insert(figure.path)
            let output: JSON = ["output_type": "display_data", "data": ["image/png": png, "text/plain": lines("\(figure.title) (\(figure.path))")] as JSON, "metadata": JSON()]
            if let id = figure.id, let index = current, let at = liveFigures[id] {
                cells[index].outputs[at] = output
            } else {
                append(output)
                if let id = figure.id, let index = current { liveFigures[id] = cells[index].outputs.count - 1 }
            }
        case .result(let value):
            guard let index = current else { return }
            var data: JSON = ["text/plain": lines(value.display)]
            if case .table(let table) = value { data["text/html"] = HTMLTable.render(columns: table.columns, rows: table.rows) }
            if let path = value.figurePaths.first(where: { !shownFigures.contains($0) }), let png = KernelDisplay.png(path) { data["image/png"] = png }
            append(["output_type": "execute_result", "data": data, "metadata": JSON(), "execution_count": cells[index].executionCount ?? NSNull()])
        case .row(let row):
            // Rows of one statement form one table, as the kernel's progress display ends.
            guard let index = current else { return }
            var collected = rows?.rows ?? []
            collected.append(row)
            let output: JSON = ["output_type": "display_data", "data": ["text/plain": lines(collected.map(\.line).joined(separator: "\n")),
                                                                        "text/html": HTMLTable.render(columns: row.columns, rows: collected.map(\.values))] as JSON,
                                "metadata": JSON()]
            if let at = rows?.output { cells[index].outputs[at] = output } else { append(output) }
            rows = (rows?.output ?? cells[index].outputs.count - 1, collected)
        case .help(let text): stream("stdout", text + "\n")
        case .clear:
            if let index = current { cells[index].outputs = []; liveFigures = [:]; rows = nil }
        case .progressStarted, .progressUpdated, .progressFinished: break
        }
    }

    /// The notebook as nbformat 4.5 JSON.
    public func json() -> [UInt8] {
        let cellObjects: [JSON] = cells.enumerated().map { i, cell in
            var object: JSON = ["id": "cell-\(i + 1)", "metadata": JSON(), "source": lines(cell.source.text)]
            switch cell.source.kind {
            case .markdown:
                object["cell_type"] = "markdown"
            case .code:
                object["cell_type"] = "code"
                object["outputs"] = cell.outputs
                object["execution_count"] = cell.executionCount ?? NSNull()
            }
            return object
        }
        let notebook: JSON = [
            "nbformat": 4, "nbformat_minor": 5,
            "metadata": ["kernelspec": ["name": "loupe", "display_name": "Loupe", "language": "loupe"] as JSON,
                         "language_info": ["name": "loupe", "file_extension": ".loupe", "mimetype": "text/x-loupe"] as JSON] as JSON,
            "cells": cellObjects,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: notebook, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return Array(data) + [10]
    }

    /// Writes the file atomically (`FileWriting.write`: a temporary file flushed and renamed into
    /// place), creating its folder.
    public func write(to path: String) throws {
        try FileWriting.write(json(), to: path)
    }

    private func stream(_ name: String, _ text: String) {
        guard let index = current else { return }
        // Consecutive text joins one stream output, as Jupyter front ends show it.
        if var last = cells[index].outputs.last, last["output_type"] as? String == "stream", last["name"] as? String == name,
           let previous = last["text"] as? [String] {
            last["text"] = lines(previous.joined() + text)
            cells[index].outputs[cells[index].outputs.count - 1] = last
        } else {
            append(["output_type": "stream", "name": name, "text": lines(text)])
        }
    }

    private func append(_ output: JSON) {
        guard let index = current else { return }
        cells[index].outputs.append(output)
    }

    /// nbformat's multi-line string: a list of lines, each keeping its newline.
    private func lines(_ text: String) -> [String] {
        var result: [String] = []
        var line = ""
        for c in text {
            line.append(c)
            if c == "\n" { result.append(line); line = "" }
        }
        if !line.isEmpty { result.append(line) }
        return result
    }
}
