/// Where the anchor point sits along the text's reading direction.
public enum TextAnchor: Sendable {
    case start
    case middle
    case end
}

/// Where the anchor point sits across the text's reading direction.
public enum TextBaseline: Sendable {
    case top
    case middle
    case baseline
    case bottom
}

/// How a line of text is turned on the canvas.
public enum TextOrientation: Sendable {
    case horizontal
    /// Rotated 90° counter-clockwise, reading bottom to top (y-axis labels).
    case upward
}

/// Text drawing on the canvas.
extension Canvas {
    /// Draws one line of text so that `anchor`/`baseline` of the text land on `point`, and returns the rectangle it covers.
    @discardableResult
    public mutating func draw(_ text: String, at point: Point, size: Int, weight: FontWeight = .regular, color: Color = .ink,
                              anchor: TextAnchor = .start, baseline: TextBaseline = .baseline,
                              orientation: TextOrientation = .horizontal, renderer: TextRenderer) -> Rect {
        let rect = Canvas.textRect(text, at: point, size: size, weight: weight, anchor: anchor, baseline: baseline,
                                   orientation: orientation, renderer: renderer)
        if text.isEmpty { return rect }
        let mask = renderer.rasterize(text, size: size, weight: weight)
        let ox = Int(rect.x.rounded()), oy = Int(rect.y.rounded())
        switch orientation {
        case .horizontal:
            fill(mask.moved(toX: ox + mask.x, y: oy), color)
        case .upward:
            fill(mask.rotatedUpward(x: ox, y: oy), color)
        }
        return rect
    }

    /// The rectangle a line of text would cover, without drawing it (for layout and overlap checks).
    public static func textRect(_ text: String, at point: Point, size: Int, weight: FontWeight = .regular,
                                anchor: TextAnchor = .start, baseline: TextBaseline = .baseline,
                                orientation: TextOrientation = .horizontal, renderer: TextRenderer) -> Rect {
        let w = Double(renderer.width(of: text, size: size, weight: weight))
        let asc = Double(renderer.ascent(size: size)), h = Double(renderer.lineHeight(size: size))
        let along: Double = anchor == .start ? 0 : anchor == .middle ? w / 2 : w
        let across: Double = switch baseline {
        case .top: 0
        case .middle: h / 2
        case .baseline: asc
        case .bottom: h
        }
        switch orientation {
        case .horizontal:
            return Rect(x: point.x - along, y: point.y - across, width: w, height: h)
        case .upward:
            // Reading upwards, "start" is the bottom and the text's top faces left.
            return Rect(x: point.x - across, y: point.y - (w - along), width: h, height: w)
        }
    }
}

extension CoverageMask {
    /// The same coverage placed with its top-left corner at (x, y).
    func moved(toX x: Int, y: Int) -> CoverageMask {
        var m = CoverageMask(bounds: PixelRect(x: x, y: y, width: width, height: height))
        m.coverage = coverage
        return m
    }

    /// The coverage turned 90° counter-clockwise so that text x = 0 lands on row y + textWidth - 1 and reads upwards.
    func rotatedUpward(x: Int, y: Int) -> CoverageMask {
        // Source column sx holds text x = sx + self.x; it must land on row y + (width - 2) - 1 - (sx + self.x).
        var m = CoverageMask(bounds: PixelRect(x: x, y: y - 2 - self.x, width: height, height: width))
        for sy in 0..<height {
            for sx in 0..<width {
                // Source column sx becomes row (width - 1 - sx); source row sy becomes column sy.
                m.coverage[(width - 1 - sx) * height + sy] = coverage[sy * width + sx]
            }
        }
        return m
    }
}
