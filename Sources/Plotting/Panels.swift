/// Several figures placed side by side or one above the other in one picture (loss beside accuracy).
public struct Panels: Figure {
    public enum Direction: Sendable {
        case horizontal
        case vertical
    }

    public var figures: [any Figure]
    public var direction: Direction

    public init(_ figures: [any Figure], direction: Direction = .horizontal) {
        self.figures = figures
        self.direction = direction
    }

    public func render(scale: Double = 1) -> Canvas {
        let parts = figures.map { $0.render(scale: scale) }
        guard !parts.isEmpty else { return Canvas(width: 1, height: 1) }
        let horizontal = direction == .horizontal
        let w = horizontal ? parts.reduce(0) { $0 + $1.width } : parts.map(\.width).max()!
        let h = horizontal ? parts.map(\.height).max()! : parts.reduce(0) { $0 + $1.height }
        var canvas = Canvas(width: w, height: h)
        var offset = 0
        for part in parts {
            let at = horizontal ? PixelRect(x: offset, y: 0, width: part.width, height: part.height)
                                : PixelRect(x: 0, y: offset, width: part.width, height: part.height)
            canvas.draw(part.toImage(), in: at)
            offset += horizontal ? part.width : part.height
        }
        return canvas
    }
}
