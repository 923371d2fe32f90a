/// Anti-aliased lines and markers, each stamped into one coverage mask and blended once.
extension Canvas {
    /// A connected line through `points`; `dash` alternates on/off lengths in pixels (nil = solid).
    ///
    /// Non-finite points break the line into separate runs instead of drawing to infinity.
    public mutating func strokePolyline(_ points: [Point], width lineWidth: Double, _ color: Color, dash: [Double]? = nil) {
        let finite = points.filter { $0.x.isFinite && $0.y.isFinite }
        guard !finite.isEmpty else { return }
        let half = lineWidth / 2
        var mask = CoverageMask(bounds: Canvas.bounds(of: finite, pad: half + 2).intersection(drawable))
        if mask.bounds.isEmpty { return }
        let pad = half + 2
        let area = Rect(x: Double(mask.bounds.x) - pad, y: Double(mask.bounds.y) - pad,
                        width: Double(mask.bounds.width) + 2 * pad, height: Double(mask.bounds.height) + 2 * pad)
        var run: [Point] = []
        func flush() {
            for (a, b) in Canvas.dashed(run, pattern: dash, within: area) { mask.stampSegment(a, b, halfWidth: half) }
            if run.count == 1 { mask.stampSegment(run[0], run[0], halfWidth: half) }
            run.removeAll()
        }
        for p in points {
            if p.x.isFinite && p.y.isFinite { run.append(p) } else { flush() }
        }
        flush()
        fill(mask, color)
    }

    /// A straight line between two points.
    public mutating func strokeLine(from a: Point, to b: Point, width: Double, _ color: Color, dash: [Double]? = nil) {
        strokePolyline([a, b], width: width, color, dash: dash)
    }

    /// A filled, anti-aliased disc.
    public mutating func fillCircle(center: Point, radius: Double, _ color: Color) {
        guard center.x.isFinite && center.y.isFinite else { return }
        var mask = CoverageMask(bounds: Canvas.bounds(of: [center], pad: radius + 2).intersection(drawable))
        if mask.bounds.isEmpty { return }
        mask.stampDisc(center: center, radius: radius)
        fill(mask, color)
    }

    /// A data marker: a coloured disc with a white rim so it stays visible where lines cross it.
    public mutating func drawMarker(at center: Point, radius: Double, _ color: Color) {
        fillCircle(center: center, radius: radius + max(1, radius * 0.35), .white)
        fillCircle(center: center, radius: radius, color)
    }

    /// The pixel rectangle holding all points, grown by `pad`.
    static func bounds(of points: [Point], pad: Double) -> PixelRect {
        var x0 = Double.infinity, y0 = Double.infinity, x1 = -Double.infinity, y1 = -Double.infinity
        for p in points {
            x0 = min(x0, p.x); y0 = min(y0, p.y); x1 = max(x1, p.x); y1 = max(y1, p.y)
        }
        // Points far off-canvas (a diverging loss) must not make a huge mask: clamp before converting.
        let limit = 1e7
        let ix0 = Int(max(-limit, x0 - pad).rounded(.down)), iy0 = Int(max(-limit, y0 - pad).rounded(.down))
        let ix1 = Int(min(limit, x1 + pad).rounded(.up)), iy1 = Int(min(limit, y1 + pad).rounded(.up))
        return PixelRect(x: ix0, y: iy0, width: ix1 - ix0, height: iy1 - iy0)
    }

    /// The segments of a polyline that are "on" under a dash pattern (all of them when solid).
    ///
    /// Only the parts inside `area` are cut into dashes: a diverging loss can put a point 1e11
    /// pixels off the canvas, and dashing all of that line would make billions of segments.
    /// The pattern's phase still advances over the parts outside, so dashes do not shift.
    static func dashed(_ points: [Point], pattern: [Double]?, within area: Rect? = nil) -> [(Point, Point)] {
        var out: [(Point, Point)] = []
        guard points.count >= 2 else { return out }
        guard let pattern, !pattern.isEmpty, pattern.allSatisfy({ $0 > 0 }) else {
            for i in 1..<points.count { out.append((points[i - 1], points[i])) }
            return out
        }
        // One full cycle of on/off states: an odd-length pattern needs two passes to repeat.
        let cycle = pattern.reduce(0, +) * (pattern.count % 2 == 0 ? 1 : 2)
        var index = 0, left = pattern[0], on = true
        func distance(_ a: Point, _ b: Point) -> Double { ((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y)).squareRoot() }
        func walk(from start: Point, to end: Point, emit: Bool) {
            var a = start
            var remaining = distance(start, end)
            if !emit { remaining = remaining.truncatingRemainder(dividingBy: cycle) }
            while remaining > 0 {
                let step = min(left, remaining)
                let t = step / remaining
                let next = Point(a.x + (end.x - a.x) * t, a.y + (end.y - a.y) * t)
                if on && emit { out.append((a, next)) }
                a = next
                remaining -= step
                left -= step
                if left <= 1e-9 {
                    index = (index + 1) % pattern.count
                    left = pattern[index]
                    on.toggle()
                }
            }
        }
        for i in 1..<points.count {
            let a = points[i - 1], b = points[i]
            guard let area, !(area.contains(a) && area.contains(b)) else {
                walk(from: a, to: b, emit: true)
                continue
            }
            guard let (ca, cb) = CoverageMask.clip(a, b, to: area) else {
                walk(from: a, to: b, emit: false)
                continue
            }
            walk(from: a, to: ca, emit: false)
            walk(from: ca, to: cb, emit: true)
            walk(from: cb, to: b, emit: false)
        }
        return out
    }
}
