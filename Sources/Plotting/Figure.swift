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
