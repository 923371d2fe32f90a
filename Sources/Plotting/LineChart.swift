/// A line chart of one or more series against a shared x axis (loss curves, LR tests, LR sweeps).
public struct LineChart: Figure {
    /// One named curve.
    public struct Series: Sendable {
        public var name: String
        public var x: [Double]
        public var y: [Double]
        /// nil picks the next palette colour.
        public var color: Color?
        public var dashed: Bool
        /// nil shows markers only when the series has few points (≤ 30), where they help count epochs.
        public var markers: Bool?

        public init(_ name: String, x: [Double], y: [Double], color: Color? = nil, dashed: Bool = false, markers: Bool? = nil) {
            self.name = name
            self.x = x
            self.y = y
            self.color = color
            self.dashed = dashed
            self.markers = markers
        }

        /// A series whose x values are 1, 2, 3… (epochs).
        public init(_ name: String, y: [Double], color: Color? = nil, dashed: Bool = false, markers: Bool? = nil) {
            self.init(name, x: y.indices.map { Double($0 + 1) }, y: y, color: color, dashed: dashed, markers: markers)
        }
    }

    /// A labelled vertical line across the plot (best epoch, early stop).
    public struct VerticalMarker: Sendable {
        public var x: Double
        public var label: String
        public var color: Color

        public init(x: Double, label: String, color: Color = .mutedInk) {
            self.x = x
            self.label = label
            self.color = color
        }
    }

    /// A labelled point drawn over the curves (a suggested learning rate).
    public struct PointLabel: Sendable {
        public var x: Double
        public var y: Double
        public var label: String
        public var color: Color

        public init(x: Double, y: Double, label: String, color: Color = .ink) {
            self.x = x
            self.y = y
            self.label = label
            self.color = color
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var xScale: AxisScale = .linear
    public var yScale: AxisScale = .linear
    /// Fixed axis ranges (e.g. 0...1 for accuracy); nil fits the data with nice ends.
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?
    public var verticalMarkers: [VerticalMarker] = []
    /// Labels for chosen x positions (days, weeks) in place of numeric ticks; when they do not all
    /// fit, every k-th is written. Empty: numeric ticks.
    public var xTickLabels: [(x: Double, label: String)] = []
    public var pointLabels: [PointLabel] = []
    /// Nominal size in pixels at scale 1.
    public var width = 960
    public var height = 600
    public var font: FontSource = .automatic

    public init(title: String = "", xLabel: String = "", yLabel: String = "", series: [Series] = []) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    public func render(scale: Double = 1) -> Canvas {
        let style = ChartStyle(scale: scale)
        let text = TextRenderer(font)
        let w = style.pixels(width), h = style.pixels(height)
        var canvas = Canvas(width: w, height: h)
        let titles = Axes.Titles(title: title, x: xLabel, y: yLabel)
        let xs = series.flatMap(\.x) + verticalMarkers.map(\.x) + pointLabels.map(\.x)
        let ys = series.flatMap(\.y) + pointLabels.map(\.y)
        // Linear x runs exactly over the data (epochs 1…12, not 0…12); the inset keeps end points off the frame.
        let finiteX = xs.filter(\.isFinite)
        let dataX = xScale == .linear ? finiteX.min().flatMap { lo in finiteX.max().map { hi in lo < hi ? lo...hi : nil } } ?? nil : nil
        var axes = Axes.layout(width: w, height: h, titles: titles, xValues: xs, yValues: ys, xScale: xScale, yScale: yScale,
                               xRange: xRange ?? dataX, yRange: yRange, yIncludesZero: false, xInset: style.px(12), style: style, text: text)
        if !xTickLabels.isEmpty {
            // Every k-th label, k the smallest step at which the widest label fits between two ticks.
            let widest = Double(xTickLabels.map { text.width(of: $0.label, size: style.tickSize) }.max() ?? 0)
            let span = max(1e-9, axes.x.upper - axes.x.lower)
            let sorted = xTickLabels.sorted { $0.x < $1.x }
            let gap = zip(sorted, sorted.dropFirst()).map { $1.x - $0.x }.min() ?? span
            let pixelsPerGap = gap / span * (axes.plot.width - 2 * axes.xInset)
            let step = max(1, Int(((widest + style.px(14)) / max(pixelsPerGap, 1)).rounded(.up)))
            let shown = sorted.enumerated().filter { $0.offset % step == 0 }.map(\.element)
            axes.x.ticks = shown.map(\.x)
            axes.x.labels = shown.map(\.label)
            axes.x.minorTicks = []
        }
        axes.drawGrid(on: &canvas, style: style, vertical: true)

        // Curves may touch the plot's edge (accuracy 1.0): let half a line width spill over rather than cut it.
        canvas.clip = PixelRect(axes.plot.insetBy(-style.lineWidth))
        var occupied: [Point] = []
        for (i, s) in series.enumerated() {
            let color = s.color ?? Palette.series(i)
            let points = zip(s.x, s.y).map { axes.point($0, $1) }
            canvas.strokePolyline(points, width: style.lineWidth, color, dash: s.dashed ? [style.px(7), style.px(4)] : nil)
            if s.markers ?? (points.count <= 30) {
                for p in points { canvas.drawMarker(at: p, radius: style.markerRadius, color) }
            }
            occupied += LineChart.samples(along: points, every: style.px(4))
        }
        canvas.clip = canvas.bounds
        var labelRects: [Rect] = []
        drawVerticalMarkers(on: &canvas, axes: axes, style: style, text: text, placed: &labelRects)
        drawPointLabels(on: &canvas, axes: axes, style: style, text: text, placed: &labelRects)
        axes.drawDecorations(on: &canvas, titles: titles, style: style, text: text, width: w, height: h)

        let named = series.enumerated().filter { !$0.element.name.isEmpty }
        if !named.isEmpty {
            let legend = Legend(entries: named.map {
                Legend.Entry(name: $0.element.name, color: $0.element.color ?? Palette.series($0.offset), swatch: .line(dashed: $0.element.dashed))
            })
            // Labels count as data here: a legend must not hide them either.
            let avoid = occupied + labelRects.flatMap { r in LineChart.samples(along: [Point(r.x, r.midY), Point(r.maxX, r.midY)], every: style.px(4)) }
            let rect = legend.placement(in: axes.plot, avoiding: avoid, style: style, text: text)
            legend.draw(on: &canvas, at: rect, style: style, text: text)
        }
        return canvas
    }

    private func drawVerticalMarkers(on canvas: inout Canvas, axes: Axes, style: ChartStyle, text: TextRenderer, placed: inout [Rect]) {
        let line = Double(text.lineHeight(size: style.smallSize))
        for (i, m) in verticalMarkers.enumerated() {
            let x = axes.point(m.x, axes.y.lower).x.rounded()
            guard x >= axes.plot.x - 0.5 && x <= axes.plot.maxX + 0.5 else { continue }
            canvas.strokeLine(from: Point(x, axes.plot.y), to: Point(x, axes.plot.maxY), width: style.px(1.5), m.color,
                              dash: [style.px(6), style.px(4)])
            // Stack labels so that markers at nearby epochs do not write over each other.
            let y = axes.plot.y + style.gap + Double(i) * (line + style.px(2))
            var rect = Canvas.textRect(m.label, at: Point(x + style.gap, y), size: style.smallSize, baseline: .top, renderer: text)
            if rect.maxX > axes.plot.maxX { rect.x = x - style.gap - rect.width }
            canvas.fill(rect.insetBy(-style.px(2)), Color.white.opacity(0.85))
            canvas.draw(m.label, at: Point(rect.x, rect.y), size: style.smallSize, color: m.color, baseline: .top, renderer: text)
            placed.append(rect)
        }
    }

    private func drawPointLabels(on canvas: inout Canvas, axes: Axes, style: ChartStyle, text: TextRenderer, placed: inout [Rect]) {
        for p in pointLabels {
            let c = axes.point(p.x, p.y)
            guard c.x.isFinite && c.y.isFinite && axes.plot.insetBy(-1).contains(c) else { continue }
            canvas.drawMarker(at: c, radius: style.markerRadius * 1.4, p.color)
            let size = Canvas.textRect(p.label, at: c, size: style.smallSize, renderer: text)
            let d = style.px(7)
            // Try the four diagonal positions; keep the first that stays in the plot and clear of other labels.
            let options = [Point(c.x + d, c.y - d - size.height), Point(c.x + d, c.y + d),
                           Point(c.x - d - size.width, c.y - d - size.height), Point(c.x - d - size.width, c.y + d)]
            let rects = options.map { Rect(x: $0.x, y: $0.y, width: size.width, height: size.height) }
            let fits = rects.first { r in axes.plot.contains(Point(r.x, r.y)) && axes.plot.contains(Point(r.maxX, r.maxY))
                && !placed.contains { $0.intersects(r) } } ?? rects[0]
            canvas.fill(fits.insetBy(-style.px(2)), Color.white.opacity(0.85))
            canvas.draw(p.label, at: Point(fits.x, fits.y), size: style.smallSize, color: p.color, baseline: .top, renderer: text)
            placed.append(fits)
        }
    }

    /// Points every `step` pixels along a polyline, so a legend can count how much of a curve it would hide.
    static func samples(along points: [Point], every step: Double) -> [Point] {
        var out: [Point] = []
        for (a, b) in zip(points, points.dropFirst()) where a.x.isFinite && a.y.isFinite && b.x.isFinite && b.y.isFinite {
            let len = ((b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y)).squareRoot()
            let n = max(1, Int(min(10_000, len / max(step, 1))))
            for k in 0..<n {
                let t = Double(k) / Double(n)
                out.append(Point(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t))
            }
        }
        if let last = points.last, last.x.isFinite && last.y.isFinite { out.append(last) }
        return out
    }
}
