import Foundation
import Imaging
import Workflow
import XCTest

/// The HTML report stands alone (nothing fetched), and the Markdown twin writes its figures beside it.
final class ReportTests: XCTestCase {
    func testHTMLFetchesNothingFromOutside() throws {
        let html = try ReportSample.report().html()
        XCTAssertFalse(html.contains("http://"), "the report must not link to http resources")
        XCTAssertFalse(html.contains("https://"), "the report must not link to https resources")
        XCTAssertFalse(html.contains("url("), "CSS must not load anything")
        XCTAssertFalse(html.contains("@import"))
        let sources = html.components(separatedBy: "src=\"").dropFirst()
        XCTAssertEqual(sources.count, 4, "one <img> per figure")
        for s in sources { XCTAssertTrue(s.hasPrefix("data:image/png;base64,"), "src outside a data URI: \(s.prefix(40))") }
        for h in html.components(separatedBy: "href=\"").dropFirst() {
            XCTAssertTrue(h.hasPrefix("#"), "only in-page links are allowed: \(h.prefix(40))")
        }
    }

    func testEmbeddedFiguresDecodeToTheSameImage() throws {
        let report = try ReportSample.report()
        let html = try report.html()
        let first = html.components(separatedBy: "src=\"data:image/png;base64,")[1]
        let base64 = String(first.prefix { $0 != "\"" })
        let png = try XCTUnwrap(Data(base64Encoded: base64))
        let decoded = try PNG.decode([UInt8](png), source: "embedded figure")
        guard case .figure(let figure) = report.sections[0].blocks.last else { return XCTFail("sample layout changed") }
        XCTAssertEqual(decoded, figure.image)
        XCTAssertTrue(html.contains("width=\"640\""), "a scale-2 figure shows at its nominal width")
    }

    func testTextIsEscaped() throws {
        var report = try ReportSample.report()
        report.title = "<script>alert('x')</script>"
        let html = try report.html()
        XCTAssertFalse(html.contains("<script>"))
        XCTAssertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        XCTAssertTrue(html.contains("&lt;must&gt; stay literal &amp; escaped"))
        let markdown = try report.markdown(figurePrefix: "r").text
        XCTAssertTrue(markdown.contains("dog\\_breed\\_1"), "underscores must not turn into emphasis")
    }

    func testStructureReachesBothForms() throws {
        let report = try ReportSample.report()
        let html = try report.html()
        XCTAssertTrue(html.contains("<h2>Data</h2>"))
        XCTAssertTrue(html.contains("<h3>Mistakes</h3>"), "subsections are one level down")
        XCTAssertTrue(html.contains("<div class=\"warning\""))
        XCTAssertTrue(html.contains("<td class=\"num\">800</td>"), "numeric columns are right-aligned")
        XCTAssertTrue(html.contains("<a href=\"#s2-training\">Training</a>"))
        XCTAssertTrue(html.contains("<pre><code>m = resnet18"))
        let (markdown, files) = try report.markdown(figurePrefix: "run3")
        XCTAssertTrue(markdown.hasPrefix("# Run 3"))
        XCTAssertTrue(markdown.contains("### Mistakes"))
        XCTAssertTrue(markdown.contains("> **Warning:**"))
        XCTAssertTrue(markdown.contains("|---|---:|---:|---:|---:|"), "numeric columns right-aligned in Markdown")
        XCTAssertEqual(files.map(\.name), ["run3-1-class-counts.png", "run3-2-loss.png", "run3-3-confusion.png", "run3-4-mistakes.png"])
        for f in files { XCTAssertTrue(markdown.contains("](\(f.name))"), "\(f.name) is not referenced") }
    }

    func testMarkdownWritesFiguresBesideIt() throws {
        let folder = NSTemporaryDirectory() + "loupe-report-\(ProcessInfo.processInfo.processIdentifier)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let report = try ReportSample.report()
        let written = try report.writeMarkdown(to: folder + "/report.md")
        XCTAssertEqual(written.count, 5)
        for path in written { XCTAssertTrue(FileManager.default.fileExists(atPath: path), path) }
        let png = try XCTUnwrap(FileManager.default.contents(atPath: folder + "/report-2-loss.png"))
        XCTAssertEqual(try PNG.decode([UInt8](png), source: "loss").width, 1280)
        try report.writeHTML(to: folder + "/report.html")
        let html = try XCTUnwrap(FileManager.default.contents(atPath: folder + "/report.html"))
        XCTAssertEqual(String(decoding: html, as: UTF8.self), try report.html())
    }

    func testWritingIntoAMissingFolderNamesThePath() throws {
        let path = "/nonexistent-loupe-folder/report.html"
        XCTAssertThrowsError(try ReportSample.report().writeHTML(to: path)) { error in
            guard case ReportError.cannotWrite(let p, _) = error else { return XCTFail("unexpected error \(error)") }
            XCTAssertEqual(p, path)
            XCTAssertTrue("\(error)".contains(path))
        }
    }
}
