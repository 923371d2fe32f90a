import Imaging
import Plotting
import XCTest

/// Text comes from FreeType when DejaVu Sans is installed and from the built-in bitmap font otherwise, through one API.
final class TextTests: XCTestCase {
    static let dejaVu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

    func testFreeTypeIsUsedWhenTheFontExists() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: Self.dejaVu), "DejaVu Sans is not installed (apt-get install fonts-dejavu-core)")
        let text = TextRenderer(.files(regular: Self.dejaVu, bold: nil))
        XCTAssertTrue(text.usesFreeType)
        XCTAssertTrue(TextRenderer(.automatic).usesFreeType)
        let mask = text.rasterize("Loss", size: 24)
        // Anti-aliased glyph edges hold intermediate coverage; the bitmap font never does.
        XCTAssertTrue(mask.coverage.contains { $0 > 0 && $0 < 255 }, "FreeType text should be anti-aliased")
    }

    func testMissingFontFallsBackToTheBitmapFont() {
        let text = TextRenderer(.files(regular: "/nonexistent/NoSuchFont.ttf", bold: nil))
        XCTAssertFalse(text.usesFreeType)
        let mask = text.rasterize("Loss 0.25", size: 12)
        XCTAssertEqual(text.width(of: "Loss 0.25", size: 12), 9 * 7)
        XCTAssertTrue(mask.coverage.contains(255))
        XCTAssertTrue(mask.coverage.allSatisfy { $0 == 0 || $0 == 255 }, "the bitmap font is not anti-aliased")
    }

    func testBothFontsAnswerTheSameQuestions() throws {
        for source in [FontSource.automatic, .builtin] {
            let text = TextRenderer(source)
            XCTAssertGreaterThan(text.width(of: "predicted", size: 14), text.width(of: "true", size: 14))
            XCTAssertGreaterThan(text.width(of: "epoch", size: 28), text.width(of: "epoch", size: 14))
            XCTAssertEqual(text.lineHeight(size: 14), text.ascent(size: 14) + text.descent(size: 14))
            let fitted = text.fitting("discoloured_paint_near_edge", maxWidth: 80, size: 12)
            XCTAssertLessThanOrEqual(text.width(of: fitted, size: 12), 80)
            XCTAssertTrue(fitted.hasSuffix(text.usesFreeType ? "…" : "..."), fitted)
        }
    }

    /// Rotated text covers a tall rectangle, reads bottom to top, and lands where `textRect` says.
    func testUpwardTextIsTurnedAndPlaced() {
        let text = TextRenderer(.builtin)
        var canvas = Canvas(width: 60, height: 120)
        let rect = canvas.draw("L", at: Point(30, 60), size: 12, color: .black, anchor: .start, baseline: .top,
                               orientation: .upward, renderer: text)
        XCTAssertEqual(rect.width, 14)
        XCTAssertEqual(rect.height, 7)
        var inked: [(Int, Int)] = []
        for y in 0..<canvas.height { for x in 0..<canvas.width where canvas.color(x: x, y: y) != .white { inked.append((x, y)) } }
        XCTAssertFalse(inked.isEmpty)
        for (x, y) in inked {
            XCTAssertTrue(rect.contains(Point(Double(x) + 0.5, Double(y) + 0.5)), "ink at \(x),\(y) outside \(rect)")
        }
        // "L" turned upwards: its stem becomes a horizontal run at the bottom of the ink (the glyph's left side),
        // and its foot a vertical run at the ink's left end (the glyph's baseline).
        let bottom = inked.map(\.1).max()!
        let stem = inked.filter { $0.1 == bottom }.count
        XCTAssertGreaterThanOrEqual(stem, 5, "the stem of L should run along the bottom row")
    }

    /// The whole text pipeline through the fallback font gives a stable picture (golden).
    func testBitmapFontGolden() throws {
        var chart = SampleData.lossChart()
        chart.font = .builtin
        try GoldenImage.check(chart.image(), named: "line-loss-bitmap-font")
    }
}
