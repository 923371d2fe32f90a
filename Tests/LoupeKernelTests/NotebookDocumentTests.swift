import Foundation
import XCTest
@testable import LoupeKernel
import LoupeLang

/// Scripts as notebooks: cells by blank-line blocks, leading comments as Markdown, outputs in
/// the kernel's forms.
final class NotebookDocumentTests: XCTestCase {
    let script = """
    # Title line
    # more words
    seed 1

    x = 1
    print x

    # Loop
    for i in [1, 2] {

        print i
    }
    """

    func testCellsAreBlocksWithLeadingCommentsAsMarkdown() {
        let cells = NotebookCell.split(script)
        XCTAssertEqual(cells.map(\.kind), [.markdown, .code, .code, .markdown, .code])
        XCTAssertEqual(cells[0].text, "Title line\nmore words")
        XCTAssertEqual(cells[1].text, "seed 1")
        XCTAssertEqual(cells[2].lines, 5...6)
        XCTAssertEqual(cells[4].text, "for i in [1, 2] {\n\n    print i\n}", "a blank line inside a block does not split it")
    }

    func testWindowsLineEndsSplitTheSame() {
        XCTAssertEqual(NotebookCell.split(script.replacingOccurrences(of: "\n", with: "\r\n")).count, 5)
    }

    func testOutputsGoToTheCellOfTheStatementInKernelForms() throws {
        let document = NotebookDocument(script: script)
        document.enter(line: 5)
        document.emit(.text("1\n"))
        document.emit(.text("2\n"))
        document.emit(.result(.number(3)))
        let row = ProgressRow(title: "train", columns: ["epoch", "loss"], values: [.number(1), .number(0.5)], line: "epoch 1: loss 0.5")
        document.emit(.row(row))
        document.emit(.row(ProgressRow(title: "train", columns: ["epoch", "loss"], values: [.number(2), .number(0.25)], line: "epoch 2: loss 0.25")))
        document.fail(.runtime(Diagnostic(file: "<cell>", span: nil, sourceLine: nil, message: "boom")), line: 9)

        let json = try JSONSerialization.jsonObject(with: Data(document.json())) as! [String: Any]
        XCTAssertEqual(json["nbformat"] as? Int, 4)
        XCTAssertEqual(json["nbformat_minor"] as? Int, 5)
        let cells = json["cells"] as! [[String: Any]]
        XCTAssertEqual(cells.count, 5)
        XCTAssertEqual(Set(cells.compactMap { $0["id"] as? String }).count, 5, "cell ids are unique")
        let outputs = cells[2]["outputs"] as! [[String: Any]]
        XCTAssertEqual(outputs.map { $0["output_type"] as! String }, ["stream", "execute_result", "display_data"])
        XCTAssertEqual(outputs[0]["text"] as? [String], ["1\n", "2\n"], "consecutive text is one stream")
        XCTAssertEqual(cells[2]["execution_count"] as? Int, 1)
        let table = (outputs[2]["data"] as! [String: Any])["text/html"] as! String
        XCTAssertTrue(table.contains("0.25") && table.contains("<th>loss</th>"), "epoch rows end as one table")
        let loop = cells[4]["outputs"] as! [[String: Any]]
        XCTAssertEqual(loop.first?["output_type"] as? String, "error")
        XCTAssertEqual(loop.first?["ename"] as? String, "RuntimeError")
        XCTAssertEqual((cells[0]["cell_type"] as? String), "markdown")
        XCTAssertNil(cells[0]["outputs"], "Markdown cells have no outputs")
    }

    func testFigureRedrawnInPlaceKeepsItsLastState() throws {
        let folder = NSTemporaryDirectory() + "loupe-nb-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let png = folder + "/c.png"
        let document = NotebookDocument(script: "train m d")
        document.enter(line: 1)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: png))
        document.emit(.figure(FigureDisplay(path: png, title: "curves", id: "curves-1")))
        try Data([4, 5, 6, 7]).write(to: URL(fileURLWithPath: png))
        document.emit(.figure(FigureDisplay(path: png, title: "curves", id: "curves-1")))
        let json = try JSONSerialization.jsonObject(with: Data(document.json())) as! [String: Any]
        let outputs = (json["cells"] as! [[String: Any]])[0]["outputs"] as! [[String: Any]]
        XCTAssertEqual(outputs.count, 1)
        XCTAssertEqual((outputs[0]["data"] as! [String: Any])["image/png"] as? String, Data([4, 5, 6, 7]).base64EncodedString())
    }
}
