/// Turns strings into coverage masks, through FreeType when a font file is available, else the built-in bitmap font.
///
/// Both paths answer the same questions (line metrics, width, rasterised text), so layout code
/// never knows which one it is using. Sizes are in whole pixels. A renderer holds FreeType state,
/// which is not thread-safe: make one per render.
public final class TextRenderer {
    private let regular: FreeTypeFace?
    private let bold: FreeTypeFace?

    public init(_ source: FontSource) {
        switch source {
        case .builtin:
            regular = nil
            bold = nil
        case .automatic:
            var found: (FreeTypeFace, FreeTypeFace?)?
            for folder in FontSource.dejaVuFolders {
                if let face = FreeTypeFace(path: folder + "/DejaVuSans.ttf") {
                    found = (face, FreeTypeFace(path: folder + "/DejaVuSans-Bold.ttf"))
                    break
                }
            }
            regular = found?.0
            bold = found?.1
        case .files(let regularPath, let boldPath):
            regular = FreeTypeFace(path: regularPath)
            bold = regular == nil ? nil : boldPath.flatMap { FreeTypeFace(path: $0) }
        }
    }

    /// True when text comes from a TrueType file, false when it uses the built-in bitmap font.
    public var usesFreeType: Bool { regular != nil }

    private func face(_ weight: FontWeight) -> FreeTypeFace? { weight == .bold ? (bold ?? regular) : regular }

    /// Integer zoom of the 7×14 bitmap font that best approaches a pixel size.
    private func bitmapZoom(_ size: Int) -> Int { max(1, Int((Double(size) / 12).rounded())) }

    /// Pixels above the baseline that a line of text may use.
    public func ascent(size: Int) -> Int {
        regular.map { $0.lineMetrics(size: size).ascent } ?? BitmapFont.baseline * bitmapZoom(size)
    }

    /// Pixels below the baseline that a line of text may use.
    public func descent(size: Int) -> Int {
        regular.map { $0.lineMetrics(size: size).descent } ?? (BitmapFont.cellHeight - BitmapFont.baseline) * bitmapZoom(size)
    }

    /// Height of one line of text (ascent plus descent).
    public func lineHeight(size: Int) -> Int { ascent(size: size) + descent(size: size) }

    /// Advance width of a string in pixels.
    public func width(of text: String, size: Int, weight: FontWeight = .regular) -> Int {
        guard let face = face(weight) else {
            let z = bitmapZoom(size)
            return text.count * BitmapFont.cellWidth * z + (weight == .bold ? z : 0)
        }
        return (layout(text, face: face, size: size).end + 63) >> 6
    }

    /// The string shortened with an ellipsis so that it fits in `maxWidth` pixels (unchanged when it already fits).
    public func fitting(_ text: String, maxWidth: Int, size: Int, weight: FontWeight = .regular) -> String {
        if width(of: text, size: size, weight: weight) <= maxWidth { return text }
        let ellipsis = usesFreeType ? "…" : "..."
        var chars = Array(text)
        while !chars.isEmpty {
            chars.removeLast()
            let candidate = String(chars) + ellipsis
            if width(of: candidate, size: size, weight: weight) <= maxWidth { return candidate }
        }
        return ""
    }

    /// Pen positions (1/64 pixel) of each scalar, kerning applied, and where the pen ends.
    private func layout(_ text: String, face: FreeTypeFace, size: Int) -> (pens: [(UInt32, Int)], end: Int) {
        var pen = 0
        var previous: UInt32?
        var pens: [(UInt32, Int)] = []
        for scalar in text.unicodeScalars {
            let code = scalar.value
            if let previous { pen += face.kerning(previous, code, size: size) }
            pens.append((code, pen))
            pen += face.glyph(code, size: size).advance
            previous = code
        }
        return (pens, pen)
    }

    /// One line of text as coverage, with the pen starting at x = 0 and the baseline at y = 0.
    ///
    /// The mask spans `-ascent..<descent` vertically, so aligning it never depends on which letters it holds.
    public func rasterize(_ text: String, size: Int, weight: FontWeight = .regular) -> CoverageMask {
        let asc = ascent(size: size), desc = descent(size: size)
        let w = width(of: text, size: size, weight: weight)
        // One spare pixel each side: some glyphs ink slightly outside their advance.
        var mask = CoverageMask(bounds: PixelRect(x: -1, y: -asc, width: w + 2, height: asc + desc))
        if let face = face(weight) {
            for (code, pen) in layout(text, face: face, size: size).pens {
                let g = face.glyph(code, size: size)
                blit(g.coverage, width: g.width, rows: g.rows, x: (pen + 32) >> 6 + g.left, y: -g.top, into: &mask)
            }
        } else {
            let z = bitmapZoom(size)
            var x = 0
            for c in text {
                let rows = BitmapFont.rows(for: c)
                for (r, bits) in rows.enumerated() where bits != 0 {
                    for col in 0..<BitmapFont.cellWidth where bits & (0x40 >> col) != 0 {
                        // Bold smears each dot one zoom step to the right, as terminals do.
                        let thick = weight == .bold ? z : 0
                        let cell = PixelRect(x: x + col * z, y: -BitmapFont.baseline * z + r * z, width: z + thick, height: z)
                            .intersection(mask.bounds)
                        for py in cell.y..<cell.maxY { for px in cell.x..<cell.maxX { mask.raise(px, py, 255) } }
                    }
                }
                x += BitmapFont.cellWidth * z
            }
        }
        return mask
    }

    private func blit(_ coverage: [UInt8], width: Int, rows: Int, x: Int, y: Int, into mask: inout CoverageMask) {
        let r = PixelRect(x: x, y: y, width: width, height: rows).intersection(mask.bounds)
        if r.isEmpty { return }
        for py in r.y..<r.maxY {
            for px in r.x..<r.maxX { mask.raise(px, py, coverage[(py - y) * width + (px - x)]) }
        }
    }
}
