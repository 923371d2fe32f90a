import Imaging

/// An opaque RGB drawing surface: a few fields and small drawing functions (olive.c style).
///
/// Every primitive intersects its bounds with `clip` once and then loops without per-pixel
/// checks. Blending is integer arithmetic, so a figure is byte-identical on every run.
public struct Canvas: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `height` rows of `width * 3` bytes, RGB.
    public internal(set) var pixels: [UInt8]
    /// Drawing outside this rectangle is discarded; charts set it to the plot area while drawing data.
    public var clip: PixelRect

    public init(width: Int, height: Int, background: Color = .white) {
        precondition(width > 0 && height > 0, "canvas needs a positive size")
        self.width = width
        self.height = height
        var px = [UInt8](repeating: 0, count: width * height * 3)
        for i in stride(from: 0, to: px.count, by: 3) {
            px[i] = background.r
            px[i + 1] = background.g
            px[i + 2] = background.b
        }
        self.pixels = px
        self.clip = PixelRect(x: 0, y: 0, width: width, height: height)
    }

    /// The whole canvas as a rectangle.
    public var bounds: PixelRect { PixelRect(x: 0, y: 0, width: width, height: height) }

    /// The clip rectangle limited to the canvas, the region every primitive may touch.
    var drawable: PixelRect { clip.intersection(bounds) }

    /// The RGB colour at a pixel (for tests and inspection).
    public func color(x: Int, y: Int) -> Color {
        let i = (y * width + x) * 3
        return Color(r: pixels[i], g: pixels[i + 1], b: pixels[i + 2])
    }

    /// The canvas as a 3-channel `Image`, ready for PNG encoding.
    public func toImage() -> Image {
        Image(width: width, height: height, channels: 3, pixels: pixels)
    }

    /// Fills whole pixels with a colour, blending by its alpha.
    public mutating func fill(_ rect: PixelRect, _ color: Color) {
        let r = rect.intersection(drawable)
        if r.isEmpty || color.a == 0 { return }
        let a = Int(color.a) * 255
        pixels.withUnsafeMutableBufferPointer { px in
            for y in r.y..<r.maxY {
                var i = (y * width + r.x) * 3
                for _ in 0..<r.width {
                    Canvas.blend(px, i, color, a)
                    i += 3
                }
            }
        }
    }

    /// Fills a rectangle given in real coordinates, snapped to whole pixels so edges stay crisp.
    public mutating func fill(_ rect: Rect, _ color: Color) { fill(PixelRect(rect), color) }

    /// Outlines a rectangle with a band of `lineWidth` pixels drawn inside its edges.
    public mutating func stroke(_ rect: Rect, lineWidth: Double, _ color: Color) {
        let r = PixelRect(rect)
        let w = max(1, Int(lineWidth.rounded()))
        fill(PixelRect(x: r.x, y: r.y, width: r.width, height: w), color)
        fill(PixelRect(x: r.x, y: r.maxY - w, width: r.width, height: w), color)
        fill(PixelRect(x: r.x, y: r.y + w, width: w, height: r.height - 2 * w), color)
        fill(PixelRect(x: r.maxX - w, y: r.y + w, width: w, height: r.height - 2 * w), color)
    }

    /// Blends `color` into the canvas, weighting each pixel by the mask's coverage.
    public mutating func fill(_ mask: CoverageMask, _ color: Color) {
        let r = mask.bounds.intersection(drawable)
        if r.isEmpty || color.a == 0 { return }
        let alpha = Int(color.a)
        mask.coverage.withUnsafeBufferPointer { cov in
            pixels.withUnsafeMutableBufferPointer { px in
                for y in r.y..<r.maxY {
                    var i = (y * width + r.x) * 3
                    var m = (y - mask.y) * mask.width + (r.x - mask.x)
                    for _ in 0..<r.width {
                        let c = Int(cov[m])
                        if c != 0 { Canvas.blend(px, i, color, alpha * c) }
                        i += 3
                        m += 1
                    }
                }
            }
        }
    }

    /// `dst = dst + (src - dst) * a / 65025` with `a` = alpha × coverage in 0...65025, rounded.
    @inline(__always)
    static func blend(_ px: UnsafeMutableBufferPointer<UInt8>, _ i: Int, _ c: Color, _ a: Int) {
        let keep = 65025 - a
        px[i] = UInt8((Int(px[i]) * keep + Int(c.r) * a + 32512) / 65025)
        px[i + 1] = UInt8((Int(px[i + 1]) * keep + Int(c.g) * a + 32512) / 65025)
        px[i + 2] = UInt8((Int(px[i + 2]) * keep + Int(c.b) * a + 32512) / 65025)
    }
}
