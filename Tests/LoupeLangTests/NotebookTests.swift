import Foundation
import LoupeLang
import XCTest

/// Notebook pages: statements, their output, and figures embedded as base64 PNG.
final class NotebookTests: XCTestCase {
    func testStatementsOutputsAndFigures() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-notebook-\(getpid())")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let figure = folder.appendingPathComponent("curves.png")
        let pngBytes = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 250])
        try pngBytes.write(to: figure)

        let notebook = Notebook(title: "demo.loupe")
        let text = "m = toy_model\nd = toy_dataset \"x\"\nprint \"a < b\"\ntrain m d to=\"\(figure.path)\"\n"
        var session = Session()
        let context = RunContext(output: { notebook.append(output: $0) }, showsExpressionValues: false)
        try Interpreter(registry: ToyCommands.registry()).run(SourceFile(name: "demo.loupe", text: text), in: &session,
                                                              context: context) { statement, event in
            switch event {
            case .willRun: notebook.begin(statement.text)
            case .finished(let value): notebook.end(figures: value?.figurePaths ?? [])
            case .failed(let error): notebook.end(figures: [], error: error.description)
            }
        }
        let page = folder.appendingPathComponent("page/demo.html")
        try notebook.write(to: page.path)
        let html = try String(contentsOf: page, encoding: .utf8)
        XCTAssertTrue(html.contains("<pre class=\"code\">m = toy_model</pre>"), html)
        XCTAssertTrue(html.contains("<pre class=\"out\">a &lt; b\n</pre>"), html)
        XCTAssertTrue(html.contains("src=\"data:image/png;base64,\(pngBytes.base64EncodedString())\""), html)
        XCTAssertEqual(html.components(separatedBy: "<section class=\"cell\">").count - 1, 4)
    }

    func testAFigureFileThatIsGoneIsAVisibleLine() {
        let notebook = Notebook(title: "gone.loupe")
        notebook.begin("plot r")
        notebook.end(figures: ["/nonexistent/loupe-curves.png"])
        let html = notebook.html()
        XCTAssertTrue(html.contains("<p class=\"err\">figure missing: /nonexistent/loupe-curves.png</p>"), html)
        XCTAssertTrue(html.contains("<title>gone.loupe — Loupe notebook</title>"), html)
    }
}
