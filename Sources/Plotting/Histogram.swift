/// A histogram of one or more groups of values over shared bins (prediction confidence, split by right and wrong).
public struct Histogram: Figure {
    /// One named set of values; several groups are drawn translucent over each other.
    public struct Group: Sendable {
        public var name: String
        public var values: [Double]
        /// nil picks the next palette colour.
        public var color: Color?

        public init(_ name: String, values: [Double], color: Color? = nil) {
            self.name = name
            self.values = values
            self.color = color
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var groups: [Group]
    public var bins: Int
    /// The binned range; nil spans the data. Values outside it are not counted.
    public var range: ClosedRange<Double>?
    public var width = 960
    public var height = 600
    public var font: FontSource = .automatic

    public init(title: String = "", xLabel: String = "", yLabel: String = "count", groups: [Group], bins: Int = 20,
                range: ClosedRange<Double>? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.groups = groups
        self.bins = bins
        self.range = range
    }

    /// The bin edges' range actually used (the given range, or the data's extent, widened when it is a single value).
    var binRange: ClosedRange<Double> {
        if let range { return range }
        let finite = groups.flatMap(\.values).filter(\.isFinite)
        let lo = finite.min() ?? 0, hi = finite.max() ?? 1
        return lo < hi ? lo...hi : (lo - 0.5)...(lo + 0.5)
    }

    /// Counts per bin for each group; the last bin includes its upper edge.
    public func counts() -> [[Int]] {
        let r = binRange, n = max(1, bins)
        return groups.map { g in
            var c = [Int](repeating: 0, count: n)
            for v in g.values where v.isFinite && r.contains(v) {
                c[min(n - 1, Int((v - r.lowerBound) / (r.upperBound - r.lowerBound) * Double(n)))] += 1
            }
            return c
        }
    }

    public func render(scale: Double = 1) -> Canvas {
        let style = ChartStyle(scale: scale)
        let text = TextRenderer(font)
        let w = style.pixels(width), h = style.pixels(height)
        var canvas = Canvas(width: w, height: h)
        let titles = Axes.Titles(title: title, x: xLabel, y: yLabel)
        let r = binRange, n = max(1, bins)
        let counts = counts()
        let axes = Axes.layout(width: w, height: h, titles: titles, xValues: [], yValues: counts.flatMap { $0.map(Double.init) },
                               xScale: .linear, yScale: .linear, xRange: r, yRange: nil, yIncludesZero: true,
                               style: style, text: text)
        axes.drawGrid(on: &canvas, style: style, vertical: false)
        let translucent = groups.count > 1
        var occupied: [Point] = []
        for (gi, g) in counts.enumerated() {
            let color = groups[gi].color ?? Palette.series(gi)
            for (b, count) in g.enumerated() where count > 0 {
                let lo = r.lowerBound + (r.upperBound - r.lowerBound) * Double(b) / Double(n)
                let hi = r.lowerBound + (r.upperBound - r.lowerBound) * Double(b + 1) / Double(n)
                let x0 = axes.xPosition(lo).rounded(), x1 = axes.xPosition(hi).rounded()
                let top = axes.yPosition(Double(count)).rounded()
                // A one-pixel gap keeps neighbouring bins apart.
                let bar = Rect(x: x0 + style.axisLine, y: top, width: max(1, x1 - x0 - style.axisLine), height: axes.plot.maxY - top)
                canvas.fill(bar, translucent ? color.opacity(0.55) : color)
                var y = bar.y
                while y < bar.maxY {
                    occupied.append(Point(bar.midX, y))
                    y += style.px(6)
                }
            }
        }
        axes.drawDecorations(on: &canvas, titles: titles, style: style, text: text, width: w, height: h)
        let named = groups.enumerated().filter { !$0.element.name.isEmpty }
        if !named.isEmpty {
            let legend = Legend(entries: named.map {
                Legend.Entry(name: $0.element.name, color: ($0.element.color ?? Palette.series($0.offset)).opacity(translucent ? 0.55 : 1),
                             swatch: .box)
            })
            legend.draw(on: &canvas, at: legend.placement(in: axes.plot, avoiding: occupied, style: style, text: text),
                        style: style, text: text)
        }
        return canvas
    }
}
