/// A bar chart of one value per named category (images per class).
public struct BarChart: Figure {
    /// A labelled dashed horizontal line (e.g. half the largest class).
    public struct ReferenceLine: Sendable {
        public var value: Double
        public var label: String
        public var color: Color

        public init(value: Double, label: String, color: Color = Palette.vermillion) {
            self.value = value
            self.label = label
            self.color = color
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var labels: [String]
    public var values: [Double]
    /// One colour per bar; nil paints every bar in the first palette colour.
    public var colors: [Color]?
    public var referenceLine: ReferenceLine?
    /// Writes each bar's value above it when there is room.
    public var showValues = true
    public var width = 960
    public var height = 600
    public var font: FontSource = .automatic

    public init(title: String = "", xLabel: String = "", yLabel: String = "", labels: [String], values: [Double]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.labels = labels
        self.values = values
    }

    /// Images per class, with a dashed line at half the largest class and the classes under it in the warning colour.
    public static func classCounts(names: [String], counts: [Int], title: String = "Images per class") -> BarChart {
        var chart = BarChart(title: title, xLabel: "class", yLabel: "images", labels: names, values: counts.map(Double.init))
        let largest = counts.max() ?? 0
        let half = Double(largest) / 2
        chart.referenceLine = ReferenceLine(value: half, label: "half of largest (\(Axis.formatLinear(half, decimals: half == half.rounded() ? 0 : 1)))")
        chart.colors = counts.map { Double($0) < half ? Palette.vermillion : Palette.blue }
        return chart
    }

    public func render(scale: Double = 1) -> Canvas {
        let style = ChartStyle(scale: scale)
        let text = TextRenderer(font)
        let w = style.pixels(width), h = style.pixels(height)
        var canvas = Canvas(width: w, height: h)
        let titles = Axes.Titles(title: title, x: xLabel, y: yLabel)
        let n = labels.count
        var ys = values
        if let r = referenceLine { ys.append(r.value) }
        func layout(band: Double) -> Axes {
            Axes.layout(width: w, height: h, titles: titles, xValues: [], yValues: ys, xScale: .linear, yScale: .linear,
                        xRange: nil, yRange: nil, yIncludesZero: true, categoryBand: band, style: style, text: text)
        }
        let tickLine = Double(text.lineHeight(size: style.tickSize))
        // The label band depends on the slot width, which depends on the y labels: lay out, decide, lay out again.
        let first = layout(band: tickLine + style.tickLength + style.gap)
        let categoryLabels = CategoryLabels(labels, slot: first.plot.width / Double(max(1, n)), maxLength: Double(h) * 0.25,
                                            size: style.tickSize, gap: style.gap, text: text)
        let axes = layout(band: categoryLabels.band + style.tickLength + style.gap)
        axes.drawGrid(on: &canvas, style: style, vertical: false)

        let slot = axes.plot.width / Double(max(1, n))
        let barWidth = max(1, (slot * 0.72).rounded())
        let zero = axes.yPosition(0)
        let valueTexts = values.map { Axis.formatLinear($0, decimals: $0 == $0.rounded() ? 0 : 2) }
        // All values or none: a few missing numbers would read as missing data.
        let valuesFit = showValues && valueTexts.allSatisfy { Double(text.width(of: $0, size: style.smallSize)) <= slot - style.px(2) }
        for (i, v) in values.enumerated() where v.isFinite {
            let x0 = (axes.plot.x + slot * Double(i) + (slot - barWidth) / 2).rounded()
            let top = axes.yPosition(v)
            canvas.fill(Rect(x: x0, y: min(top, zero), width: barWidth, height: abs(zero - top)), colors?[safe: i] ?? Palette.blue)
            let valueText = valueTexts[i]
            if valuesFit {
                canvas.draw(valueText, at: Point(x0 + barWidth / 2, top - style.px(3)), size: style.smallSize, color: .mutedInk,
                            anchor: .middle, baseline: .bottom, renderer: text)
            }
        }
        if let r = referenceLine {
            let y = axes.yPosition(r.value).rounded()
            canvas.strokeLine(from: Point(axes.plot.x, y), to: Point(axes.plot.maxX, y), width: style.px(1.5), r.color,
                              dash: [style.px(7), style.px(4)])
            // Above the line, right to left, the first place that covers no bar; else above the plot, where nothing is drawn.
            let valueRoom = valuesFit ? Double(text.lineHeight(size: style.smallSize)) + style.px(3) : 0
            let bars = values.enumerated().map { i, v in
                let top = min(axes.yPosition(v), zero) - valueRoom
                return Rect(x: axes.plot.x + slot * Double(i), y: top, width: slot, height: zero - top)
            }
            var rect = Canvas.textRect(r.label, at: Point(axes.plot.maxX - style.gap, axes.plot.y - style.px(3)), size: style.smallSize,
                                       anchor: .end, baseline: .bottom, renderer: text)
            var x = axes.plot.maxX - style.gap
            var onLine = false
            while x - rect.width >= axes.plot.x {
                let candidate = Canvas.textRect(r.label, at: Point(x, y - style.px(3)), size: style.smallSize, anchor: .end,
                                                baseline: .bottom, renderer: text)
                if !bars.contains(where: { $0.intersects(candidate.insetBy(-style.px(2))) }) {
                    rect = candidate
                    onLine = true
                    break
                }
                x -= slot / 2
            }
            if !onLine {
                // Away from its line, the label gets a short dashed sample of it, like a legend entry.
                canvas.strokeLine(from: Point(rect.x - style.gap - style.px(24), rect.midY.rounded()), to: Point(rect.x - style.gap, rect.midY.rounded()),
                                  width: style.px(1.5), r.color, dash: [style.px(7), style.px(4)])
            }
            canvas.draw(r.label, at: Point(rect.x, rect.y), size: style.smallSize, color: r.color, baseline: .top, renderer: text)
        }
        let labelTop = axes.plot.maxY + style.axisLine + style.tickLength + style.gap / 2
        categoryLabels.draw(on: &canvas, centers: (0..<n).map { axes.plot.x + slot * (Double($0) + 0.5) }, top: labelTop,
                            size: style.tickSize, text: text)
        axes.drawDecorations(on: &canvas, titles: titles, style: style, text: text, width: w, height: h)
        return canvas
    }
}
