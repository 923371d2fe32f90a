import Foundation
import LoupeLang
import Workflow

/// `report VALUE [to="FILE.html"]`: a self-contained HTML report and its Markdown twin.
extension CommandRegistry {
    mutating func registerReportCommand() {
        register(CommandSpec(
            name: "report", group: "Evaluation", summary: "an HTML report (self-contained) and its Markdown twin with PNGs beside it",
            parameters: [.positional("value", .any, help: "a run, an evaluation, or another value with a report"),
                         .option("to", .string, help: "the HTML file (default: the work folder); the Markdown twin goes beside it")],
            result: "a report (path, markdown, figures)", example: "report run to=\"reports/run1.html\"") { call in
                try ReportWriting.report(call)
            })
    }
}

/// Building and writing reports.
enum ReportWriting {
    static func report(_ call: CommandInvocation) throws -> Value {
        let value = call.arguments["value"] ?? .none
        guard case .object(let object) = value, let reportable = object as? any Reportable else {
            throw CommandError.invalidArgument(parameter: "value", message: "\(value.kindWithArticle) has no report; report takes a run or an evaluation")
        }
        let htmlPath: String
        if case .string(let given)? = call.arguments["to"] {
            let lower = given.lowercased()
            guard lower.hasSuffix(".html") || lower.hasSuffix(".htm") else {
                throw CommandError.invalidArgument(parameter: "to", message: "give the HTML file's name, ending in .html (the Markdown twin is written beside it)")
            }
            htmlPath = given
        } else {
            htmlPath = call.session.workPath("report-" + fileSlug(defaultStem(reportable)) + ".html")
        }
        let markdownPath = (htmlPath as NSString).deletingPathExtension + ".md"
        let sections: [ReportSection]
        do {
            // Under mpirun the evaluation is split across the ranks (every rank takes part in its
            // sums); the sections — figures, mistakes, tables — are built by rank 0 alone, the
            // only rank that writes them. A failure there is rank 0's, and the end-of-statement
            // agreement stops every rank with it.
            if let run = reportable as? RunValue {
                let evaluation = try run.heldOutSplit().map {
                    try EvaluationRunning.evaluate(run.model, on: $0, dataParameter: "value", call: call)
                }
                sections = call.writesFiles ? try run.reportSections(evaluation: evaluation) : []
            } else {
                sections = call.writesFiles ? try reportable.reportSections() : []
            }
        } catch let error as CommandError { throw error } catch {
            throw CommandError.invalidArgument(parameter: "value", message: "cannot build the report: \(error)")
        }
        let report = Report(title: reportable.reportTitle, subtitle: reportable.summary, sections: sections)
        var written: [String] = [markdownPath]
        if call.writesFiles { do {
            try FileManager.default.createDirectory(atPath: (htmlPath as NSString).deletingLastPathComponent.isEmpty ? "." : (htmlPath as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try report.writeHTML(to: htmlPath)
            written = try report.writeMarkdown(to: markdownPath)
        } catch let error as ReportError {
            throw CommandError.invalidArgument(parameter: "to", message: "\(error)")
        } catch {
            throw CommandError.invalidArgument(parameter: "to", message: "cannot write the report: \(FileErrorText.describe(error, path: htmlPath))")
        } }
        call.write("report: \(htmlPath)")
        call.write("markdown: \(markdownPath) (with \(written.count - 1) PNG file\(written.count == 2 ? "" : "s") beside it)")
        // Those two lines name everything the result's summary would: it is not said again.
        call.resultWasShown()
        return .object(ReportValue(htmlPath: htmlPath, markdownPath: markdownPath, figureFiles: Array(written.dropLast()), title: reportable.reportTitle))
    }

    static func defaultStem(_ value: any Reportable) -> String {
        if let run = value as? RunValue { return run.displayLabel }
        if let plottable = value as? any Plottable { return plottable.figureStem }
        return value.kind
    }
}
