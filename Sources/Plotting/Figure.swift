import Imaging

/// A chart or picture that can be drawn at any scale; scale 1 is the figure's nominal size in pixels.
public protocol Figure: Sendable {
    /// Draws the figure; the same value and scale always give the same pixels.
    func render(scale: Double) -> Canvas
}

extension Figure {
    /// The figure as an RGB image.
    public func image(scale: Double = 1) -> Image { render(scale: scale).toImage() }
}

extension Figure {
    /// Renders the figure and writes it as a PNG (atomically: a failed write leaves any previous file intact).
    public func write(to path: String, scale: Double = 1) throws {
        try image(scale: scale).writePNG(to: path)
    }

    /// The figure encoded as PNG bytes (for embedding in reports).
    public func pngData(scale: Double = 1) throws -> [UInt8] {
        try PNG.encode(image(scale: scale))
    }
}
