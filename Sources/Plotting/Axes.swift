/// A rectangular plot area with a numeric y axis and a numeric or categorical x axis, and the text around it.
struct Axes {
    var plot: Rect
    var x: Axis
    var y: Axis
    /// Space kept free at both ends of the x axis, so the first and last points do not sit on the frame.
    var xInset: Double = 0

    /// The canvas position of a data point (may lie outside `plot`; the canvas clip discards it).
    func point(_ vx: Double, _ vy: Double) -> Point { Point(xPosition(vx), yPosition(vy)) }

    func xPosition(_ v: Double) -> Double { plot.x + xInset + x.fraction(v) * (plot.width - 2 * xInset) }

    func yPosition(_ v: Double) -> Double { plot.maxY - y.fraction(v) * plot.height }

    /// Texts around the plot area.
    struct Titles {
        var title: String
        var x: String
        var y: String
    }

    /// Lays out the plot area so that the title, axis titles and tick labels fit around it.
    ///
    /// `categoryBand` reserves that many pixels under the plot for category labels drawn by the
    /// chart itself (bar charts); the x axis is then 0...1 without ticks.
    static func layout(width: Int, height: Int, titles: Titles, xValues: [Double], yValues: [Double],
                       xScale: AxisScale, yScale: AxisScale, xRange: ClosedRange<Double>?, yRange: ClosedRange<Double>?,
                       yIncludesZero: Bool, categoryBand: Double? = nil, xInset: Double = 0,
                       style: ChartStyle, text: TextRenderer) -> Axes {
        let tickLine = Double(text.lineHeight(size: style.tickSize))
        let labelLine = Double(text.lineHeight(size: style.labelSize))
        var top = style.pad
        if !titles.title.isEmpty { top += Double(text.lineHeight(size: style.titleSize)) + style.gap * 2 }
        var bottom = Double(height) - style.pad
        if !titles.x.isEmpty { bottom -= labelLine + style.gap }
        bottom -= categoryBand ?? (tickLine + style.tickLength + style.gap)

        let yTarget = max(3, min(9, Int((bottom - top) / style.px(55))))
        let yAxis = Axis.make(covering: yValues, scale: yScale, targetTicks: yTarget, pinned: yRange, includeZero: yIncludesZero)
        let widest = yAxis.labels.map { text.width(of: $0, size: style.tickSize) }.max() ?? 0
        var left = style.pad + Double(widest) + style.tickLength + style.gap
        if !titles.y.isEmpty { left += labelLine + style.gap }
        let right = Double(width) - style.pad * 1.5

        var xAxis = Axis(scale: .linear, lower: 0, upper: 1, ticks: [], labels: [])
        // Epochs and other counts: no 1.5th epoch on the axis.
        let wholeX = !xValues.isEmpty && xValues.allSatisfy { $0.isFinite && $0 == $0.rounded() }
        if categoryBand == nil {
            // Fewer ticks until the widest label, with room either side, fits between two ticks.
            var target = max(2, min(12, Int((right - left) / style.px(70))))
            while true {
                xAxis = Axis.make(covering: xValues, scale: xScale, targetTicks: target, pinned: xRange,
                                  wholeNumbers: wholeX)
                let w = Double(xAxis.labels.map { text.width(of: $0, size: style.tickSize) }.max() ?? 0)
                let spacing = (right - left - 2 * xInset) / Double(max(1, xAxis.ticks.count - 1))
                if w + style.px(14) <= spacing || target <= 2 { break }
                target -= 1
            }
        }
        return Axes(plot: Rect(x: left.rounded(), y: top.rounded(), width: (right - left).rounded(), height: (bottom - top).rounded()),
                    x: xAxis, y: yAxis, xInset: xInset)
    }

    /// Light grid lines behind the data at every labelled tick.
    func drawGrid(on canvas: inout Canvas, style: ChartStyle, vertical: Bool) {
        let w = style.axisLine
        for t in y.ticks {
            let py = yPosition(t).rounded()
            canvas.fill(Rect(x: plot.x, y: py - (w / 2).rounded(.down), width: plot.width, height: w), .gridLine)
        }
        if vertical {
            for t in x.ticks {
                let px = xPosition(t).rounded()
                canvas.fill(Rect(x: px - (w / 2).rounded(.down), y: plot.y, width: w, height: plot.height), .gridLine)
            }
        }
    }

    /// Axis lines, ticks, tick labels, axis titles and the chart title.
    func drawDecorations(on canvas: inout Canvas, titles: Titles, style: ChartStyle, text: TextRenderer, width: Int, height: Int) {
        let w = style.axisLine
        let axisColor = Color(hex: 0x888888)
        canvas.fill(Rect(x: plot.x, y: plot.maxY, width: plot.width, height: w), axisColor)
        canvas.fill(Rect(x: plot.x - w, y: plot.y, width: w, height: plot.height + w), axisColor)
        for (t, label) in zip(y.ticks, y.labels) {
            let py = yPosition(t).rounded()
            canvas.fill(Rect(x: plot.x - w - style.tickLength, y: py - (w / 2).rounded(.down), width: style.tickLength, height: w), axisColor)
            canvas.draw(label, at: Point(plot.x - w - style.tickLength - style.gap, py), size: style.tickSize, color: .mutedInk,
                        anchor: .end, baseline: .middle, renderer: text)
        }
        for t in y.minorTicks {
            let py = yPosition(t).rounded()
            canvas.fill(Rect(x: plot.x - w - style.tickLength / 2, y: py, width: style.tickLength / 2, height: w), axisColor)
        }
        for (t, label) in zip(x.ticks, x.labels) {
            let px = xPosition(t).rounded()
            canvas.fill(Rect(x: px - (w / 2).rounded(.down), y: plot.maxY + w, width: w, height: style.tickLength), axisColor)
            // Keep the first and last labels inside the canvas.
            let half = Double(text.width(of: label, size: style.tickSize)) / 2
            let cx = min(max(px, half + 2), Double(width) - half - 2)
            canvas.draw(label, at: Point(cx, plot.maxY + w + style.tickLength + style.gap / 2), size: style.tickSize,
                        color: .mutedInk, anchor: .middle, baseline: .top, renderer: text)
        }
        for t in x.minorTicks {
            let px = xPosition(t).rounded()
            canvas.fill(Rect(x: px, y: plot.maxY + w, width: w, height: style.tickLength / 2), axisColor)
        }
        if !titles.title.isEmpty {
            let maxWidth = Int(Double(width) - 2 * style.pad)
            canvas.draw(text.fitting(titles.title, maxWidth: maxWidth, size: style.titleSize, weight: .bold),
                        at: Point(plot.midX, style.pad), size: style.titleSize, weight: .bold,
                        anchor: .middle, baseline: .top, renderer: text)
        }
        if !titles.x.isEmpty {
            canvas.draw(titles.x, at: Point(plot.midX, Double(height) - style.pad), size: style.labelSize,
                        anchor: .middle, baseline: .bottom, renderer: text)
        }
        if !titles.y.isEmpty {
            canvas.draw(titles.y, at: Point(style.pad, plot.midY), size: style.labelSize,
                        anchor: .middle, baseline: .top, orientation: .upward, renderer: text)
        }
    }
}
