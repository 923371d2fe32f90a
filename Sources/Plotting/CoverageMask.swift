/// Per-pixel coverage (0 = untouched, 255 = fully covered) over a rectangle of the canvas.
///
/// Shapes are first stamped into a mask, taking the maximum where they overlap, then blended
/// once: a polyline's joints are not painted twice, so a translucent line keeps one opacity.
public struct CoverageMask: Sendable, Equatable {
    public let x: Int
    public let y: Int
    public let width: Int
    public let height: Int
    public internal(set) var coverage: [UInt8]

    public init(bounds: PixelRect) {
        x = bounds.x
        y = bounds.y
        width = bounds.width
        height = bounds.height
        coverage = [UInt8](repeating: 0, count: bounds.width * bounds.height)
    }

    public var bounds: PixelRect { PixelRect(x: x, y: y, width: width, height: height) }

    /// Raises coverage to at least `value` at one pixel; callers have already clipped to `bounds`.
    @inline(__always)
    mutating func raise(_ px: Int, _ py: Int, _ value: UInt8) {
        let i = (py - y) * width + (px - x)
        if coverage[i] < value { coverage[i] = value }
    }

    /// Stamps a segment with round caps, `halfWidth` pixels either side of its centre line.
    public mutating func stampSegment(_ a: Point, _ b: Point, halfWidth: Double) {
        let pad = halfWidth + 1
        // Cut the segment to the mask first: a diverging loss may put an end point at 1e300.
        let area = Rect(x: Double(x) - pad, y: Double(y) - pad, width: Double(width) + 2 * pad, height: Double(height) + 2 * pad)
        guard let (a, b) = CoverageMask.clip(a, b, to: area) else { return }
        let box = PixelRect(x: Int((min(a.x, b.x) - pad).rounded(.down)), y: Int((min(a.y, b.y) - pad).rounded(.down)),
                            width: 0, height: 0)
        let r = PixelRect(x: box.x, y: box.y,
                          width: Int((max(a.x, b.x) + pad).rounded(.up)) - box.x,
                          height: Int((max(a.y, b.y) + pad).rounded(.up)) - box.y).intersection(bounds)
        if r.isEmpty { return }
        let dx = b.x - a.x, dy = b.y - a.y
        let len2 = dx * dx + dy * dy
        for py in r.y..<r.maxY {
            let cy = Double(py) + 0.5
            for px in r.x..<r.maxX {
                let cx = Double(px) + 0.5
                // Distance from the pixel centre to the closest point of the segment.
                var t = len2 > 0 ? ((cx - a.x) * dx + (cy - a.y) * dy) / len2 : 0
                t = min(max(t, 0), 1)
                let ex = cx - (a.x + t * dx), ey = cy - (a.y + t * dy)
                let d = (ex * ex + ey * ey).squareRoot()
                let c = halfWidth + 0.5 - d
                if c > 0 { raise(px, py, c >= 1 ? 255 : UInt8(c * 255 + 0.5)) }
            }
        }
    }

    /// Stamps a filled disc.
    public mutating func stampDisc(center: Point, radius: Double) {
        let reach = radius + 2
        guard center.x > Double(x) - reach, center.x < Double(x + width) + reach,
              center.y > Double(y) - reach, center.y < Double(y + height) + reach else { return }
        let r = PixelRect(x: Int((center.x - radius - 1).rounded(.down)), y: Int((center.y - radius - 1).rounded(.down)),
                          width: Int(2 * radius + 3), height: Int(2 * radius + 3)).intersection(bounds)
        if r.isEmpty { return }
        for py in r.y..<r.maxY {
            let ey = Double(py) + 0.5 - center.y
            for px in r.x..<r.maxX {
                let ex = Double(px) + 0.5 - center.x
                let c = radius + 0.5 - (ex * ex + ey * ey).squareRoot()
                if c > 0 { raise(px, py, c >= 1 ? 255 : UInt8(c * 255 + 0.5)) }
            }
        }
    }

    /// The part of segment a–b inside `r` (Liang–Barsky), or nil when it misses `r`.
    static func clip(_ a: Point, _ b: Point, to r: Rect) -> (Point, Point)? {
        let dx = b.x - a.x, dy = b.y - a.y
        var t0 = 0.0, t1 = 1.0
        for (p, q) in [(-dx, a.x - r.x), (dx, r.maxX - a.x), (-dy, a.y - r.y), (dy, r.maxY - a.y)] {
            if p == 0 {
                if q < 0 { return nil }
            } else {
                let t = q / p
                if p < 0 { t0 = max(t0, t) } else { t1 = min(t1, t) }
                if t0 > t1 { return nil }
            }
        }
        return (Point(a.x + t0 * dx, a.y + t0 * dy), Point(a.x + t1 * dx, a.y + t1 * dy))
    }
}
