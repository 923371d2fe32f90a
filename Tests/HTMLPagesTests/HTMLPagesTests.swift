import Foundation
import HTMLPages
import XCTest

/// The pieces of every page: text escaped, one stylesheet and nothing fetched, figures as data
/// URIs (a missing file is a visible line, not a crash), tables, preformatted text.
final class HTMLPagesTests: XCTestCase {
    func testEscapingKeepsTextAsWritten() {
        XCTAssertEqual(HTML.escape("<b>\"Tom\" & 'Jerry'</b> · 猫"), "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt; · 猫")
        XCTAssertEqual(HTML.escape("plain"), "plain")
    }

    func testThePageHasOneStylesheetAndFetchesNothing() {
        let page = HTML.page(title: "a < b", heading: "A", subtitle: "s & t", body: "<p>x</p>\n")
        XCTAssertTrue(page.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        XCTAssertTrue(page.contains("<title>a &lt; b</title>"))
        XCTAssertTrue(page.contains("<h1>A</h1>\n<p class=\"subtitle\">s &amp; t</p>\n</header>\n<p>x</p>\n</main>"))
        XCTAssertTrue(page.hasSuffix("</main>\n</body>\n</html>\n"))
        XCTAssertEqual(page.components(separatedBy: "<style>").count - 1, 1)
        XCTAssertTrue(page.contains(HTML.stylesheet))
        for outside in ["http://", "https://", "url(", "@import"] { XCTAssertFalse(page.contains(outside), outside) }
        XCTAssertFalse(HTML.page(title: "t", heading: "t", body: "").contains("subtitle\">"), "no empty subtitle")
    }

    func testFiguresAreDataURIsAndAMissingFileIsALine() throws {
        let bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 1, 2, 3, 250]
        let figure = HTML.figure(png: bytes, alt: "loss \"curve\"", caption: "<b>Figure 1.</b>", width: 320)
        XCTAssertEqual(figure, "<figure>\n<img src=\"data:image/png;base64,\(Data(bytes).base64EncodedString())\" width=\"320\" "
                       + "alt=\"loss &quot;curve&quot;\">\n<figcaption><b>Figure 1.</b></figcaption>\n</figure>\n")

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-html-\(UUID().uuidString).png").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fromFile = HTML.figure(file: path)
        XCTAssertTrue(fromFile.contains("src=\"data:image/png;base64,\(Data(bytes).base64EncodedString())\""), fromFile)
        XCTAssertTrue(fromFile.contains("<figcaption>\(path)</figcaption>"), fromFile)
        XCTAssertEqual(HTML.figure(file: "/nonexistent/a<b>.png"), "<p class=\"err\">figure missing: /nonexistent/a&lt;b&gt;.png</p>\n")
    }

    func testTablesAndPreformattedText() {
        let table = HTML.table(columns: ["class", "n"], rows: [["cat & dog", "800"], ["short"]], numeric: [false, true], caption: "Counts")
        XCTAssertTrue(table.contains("<caption>Counts</caption>"))
        XCTAssertTrue(table.contains("<th>class</th><th class=\"num\">n</th>"))
        XCTAssertTrue(table.contains("<tr><td>cat &amp; dog</td><td class=\"num\">800</td></tr>"))
        XCTAssertTrue(table.contains("<tr><td>short</td><td class=\"num\"></td></tr>"), "short rows are padded")
        XCTAssertEqual(HTML.keyValueTable([("images", "3 204")]),
                       "<table class=\"kv\">\n<tbody>\n<tr><th scope=\"row\">images</th><td>3 204</td></tr>\n</tbody>\n</table>\n")
        XCTAssertEqual(HTML.preformatted("a < b", class: "out"), "<pre class=\"out\">a &lt; b</pre>")
        XCTAssertEqual(HTML.preformatted("m = resnet18", code: true), "<pre><code>m = resnet18</code></pre>")
    }
}
