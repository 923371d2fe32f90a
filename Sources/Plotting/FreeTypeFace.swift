import CFreeType

/// One FreeType face at one pixel size at a time, with the rendered glyphs it has already made.
///
/// FreeType objects are not thread-safe, so a face belongs to a single `TextRenderer`, which
/// belongs to a single render call.
final class FreeTypeFace {
    /// A rendered glyph: coverage bitmap, its offset from the pen position, and the advance in 1/64 pixel.
    struct Glyph {
        var left: Int
        var top: Int
        var width: Int
        var rows: Int
        var advance: Int
        var coverage: [UInt8]
    }

    private var library: FT_Library?
    private var face: FT_Face?
    private var pixelSize = 0
    private var cache: [Int: [UInt32: Glyph]] = [:]

    /// Opens a TrueType file; nil when the file is missing or FreeType cannot read it.
    init?(path: String) {
        var lib: FT_Library?
        guard FT_Init_FreeType(&lib) == 0, let lib else { return nil }
        var f: FT_Face?
        guard FT_New_Face(lib, path, 0, &f) == 0, let f else {
            FT_Done_FreeType(lib)
            return nil
        }
        library = lib
        face = f
    }

    deinit {
        if let face { FT_Done_Face(face) }
        if let library { FT_Done_FreeType(library) }
    }

    private func select(size: Int) {
        guard size != pixelSize, let face else { return }
        FT_Set_Pixel_Sizes(face, 0, FT_UInt(size))
        pixelSize = size
    }

    /// Ascender and descender (both positive) in whole pixels at a pixel size.
    func lineMetrics(size: Int) -> (ascent: Int, descent: Int) {
        select(size: size)
        guard let m = face?.pointee.size?.pointee.metrics else { return (size, size / 4) }
        return (Int((m.ascender + 63) >> 6), Int((-m.descender + 63) >> 6))
    }

    /// Kerning between two characters in 1/64 pixel (0 when the font has no kerning table).
    func kerning(_ left: UInt32, _ right: UInt32, size: Int) -> Int {
        select(size: size)
        guard let face, face.pointee.face_flags & FT_Long(FT_FACE_FLAG_KERNING) != 0 else { return 0 }
        var delta = FT_Vector()
        let a = FT_Get_Char_Index(face, FT_ULong(left)), b = FT_Get_Char_Index(face, FT_ULong(right))
        guard FT_Get_Kerning(face, a, b, FT_UInt(FT_KERNING_DEFAULT.rawValue), &delta) == 0 else { return 0 }
        return Int(delta.x)
    }

    /// The rendered glyph for a Unicode scalar; missing characters render as FreeType's .notdef box.
    func glyph(_ scalar: UInt32, size: Int) -> Glyph {
        if let g = cache[size]?[scalar] { return g }
        select(size: size)
        var g = Glyph(left: 0, top: 0, width: 0, rows: 0, advance: size * 32, coverage: [])
        // Light hinting snaps heights to the pixel grid but keeps the designed widths, so spacing stays even.
        let loadTargetLight = Int32(Int(FT_RENDER_MODE_LIGHT.rawValue) << 16)
        if let face, FT_Load_Char(face, FT_ULong(scalar), Int32(FT_LOAD_RENDER) | loadTargetLight) == 0,
           let slot = face.pointee.glyph {
            let bm = slot.pointee.bitmap
            g.left = Int(slot.pointee.bitmap_left)
            g.top = Int(slot.pointee.bitmap_top)
            g.width = Int(bm.width)
            g.rows = Int(bm.rows)
            g.advance = Int(slot.pointee.advance.x)
            g.coverage = [UInt8](repeating: 0, count: g.width * g.rows)
            if let buffer = bm.buffer {
                for y in 0..<g.rows {
                    for x in 0..<g.width { g.coverage[y * g.width + x] = buffer[y * Int(bm.pitch) + x] }
                }
            }
        }
        cache[size, default: [:]][scalar] = g
        return g
    }
}
