/// A grid of coloured cells with their numbers written in them (confusion matrices).
public struct Heatmap: Figure {
    public var title: String
    /// Title under the column labels (e.g. "predicted").
    public var xLabel: String
    /// Title beside the row labels (e.g. "true").
    public var yLabel: String
    public var rowLabels: [String]
    public var columnLabels: [String]
    /// `values[row][column]`; non-finite cells are left blank.
    public var values: [[Double]]
    /// Text for each cell; nil writes the values with `decimals` decimals.
    public var cellTexts: [[String]]?
    public var decimals = 2
    /// Values mapped to the lightest and darkest colours; nil uses 0...largest value.
    public var colorRange: ClosedRange<Double>?
    public var showColorBar = true
    public var width = 960
    public var height = 600
    public var font: FontSource = .automatic

    public init(title: String = "", xLabel: String = "", yLabel: String = "", rowLabels: [String], columnLabels: [String],
                values: [[Double]]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.values = values
    }

    /// A confusion matrix, `counts[true][predicted]`: raw counts, or each row divided by its total.
    public static func confusionMatrix(classNames: [String], counts: [[Int]], normalized: Bool) -> Heatmap {
        let values: [[Double]] = counts.map { row in
            let total = row.reduce(0, +)
            return row.map { normalized ? (total > 0 ? Double($0) / Double(total) : .nan) : Double($0) }
        }
        var map = Heatmap(title: normalized ? "Confusion matrix (each row sums to 1)" : "Confusion matrix (counts)",
                          xLabel: "predicted", yLabel: "true", rowLabels: classNames, columnLabels: classNames, values: values)
        if normalized {
            map.colorRange = 0...1
            // A plain "0" for empty cells keeps the eye on the cells that hold errors.
            map.cellTexts = zip(counts, values).map { row, fractions in
                zip(row, fractions).map { $0 == 0 ? "0" : ($1.isFinite ? Axis.formatLinear($1, decimals: 2) : "") }
            }
        } else {
            map.cellTexts = counts.map { $0.map(String.init) }
        }
        return map
    }

    public func render(scale: Double = 1) -> Canvas {
        let style = ChartStyle(scale: scale)
        let text = TextRenderer(font)
        let w = style.pixels(width), h = style.pixels(height)
        var canvas = Canvas(width: w, height: h)
        let rows = values.count, cols = values.map(\.count).max() ?? 0
        let finite = values.flatMap { $0 }.filter(\.isFinite)
        let range = colorRange ?? 0...max(finite.max() ?? 1, 1e-12)
        let texts = cellTexts ?? values.map { $0.map { $0.isFinite ? Axis.formatLinear($0, decimals: decimals) : "" } }
        let labelLine = Double(text.lineHeight(size: style.labelSize))

        var top = style.pad
        if !title.isEmpty { top += Double(text.lineHeight(size: style.titleSize)) + style.gap * 2 }
        let barWidth = style.px(16)
        let barAxis = Axis.make(covering: [], scale: .linear, targetTicks: 6, pinned: range)
        let barRoom = showColorBar
            ? style.px(28) + barWidth + style.gap + Double(barAxis.labels.map { text.width(of: $0, size: style.tickSize) }.max() ?? 0) : 0
        let right = Double(w) - style.pad - barRoom
        var bottomFixed = style.pad + style.gap
        if !xLabel.isEmpty { bottomFixed += labelLine + style.gap }

        /// Cell size and label geometry when class names are written at `size` pixels.
        func layout(labelSize size: Int) -> (left: Double, cell: Double, labels: CategoryLabels, rowLabelWidth: Double) {
            let rowLabelWidth = Double(rowLabels.map { text.width(of: $0, size: size) }.max() ?? 0)
            var left = style.pad + rowLabelWidth + style.gap
            if !yLabel.isEmpty { left += labelLine + style.gap }
            func cellSize(band: Double) -> Double {
                let availW = right - left, availH = Double(h) - bottomFixed - band - top
                return max(1, min(availW / Double(max(1, cols)), availH / Double(max(1, rows)), style.px(90)).rounded(.down))
            }
            let guess = cellSize(band: Double(text.lineHeight(size: size)))
            let labels = CategoryLabels(columnLabels, slot: guess, maxLength: Double(h) * 0.22, size: size, gap: style.gap, text: text)
            return (left, cellSize(band: labels.band), labels, rowLabelWidth)
        }
        // Many classes make small cells: shrink the class names to the cell height (down to 9 points), then label every k-th.
        var labelSize = style.tickSize
        var geometry = layout(labelSize: labelSize)
        let smallest = max(6, Int((9 * style.scale).rounded()))
        while labelSize > smallest && Double(text.lineHeight(size: labelSize)) > geometry.cell {
            labelSize -= 1
            geometry = layout(labelSize: labelSize)
        }
        let (left, cell, labels, rowLabelWidth) = geometry
        let every = max(1, Int((Double(text.lineHeight(size: labelSize)) / cell).rounded(.up)))
        let gridW = cell * Double(cols), gridH = cell * Double(rows)
        let x0 = (left + (right - left - gridW) / 2).rounded(), y0 = top.rounded()
        // One size for every number, the largest at which the widest fits; none when they would be unreadably small.
        let numberSize = [style.tickSize, style.smallSize].first { size in
            let widest = texts.flatMap { $0 }.map { text.width(of: $0, size: size) }.max() ?? 0
            return Double(widest) <= cell - style.px(6) && Double(text.lineHeight(size: size)) <= cell
        }

        for r in 0..<rows {
            for c in 0..<values[r].count {
                let v = values[r][c]
                let cellRect = Rect(x: x0 + cell * Double(c), y: y0 + cell * Double(r), width: cell, height: cell)
                let t = (v - range.lowerBound) / max(1e-12, range.upperBound - range.lowerBound)
                let fillColor = v.isFinite ? Palette.sequential(t) : Color(hex: 0xF2F2F2)
                // One pixel of white between cells keeps neighbouring equal colours apart.
                canvas.fill(Rect(x: cellRect.x, y: cellRect.y, width: cell - style.axisLine, height: cell - style.axisLine), fillColor)
                let label = texts[safe: r]?[safe: c] ?? ""
                guard !label.isEmpty else { continue }
                let textColor: Color = fillColor.luminance < 0.35 ? .white : .ink
                if let numberSize {
                    canvas.draw(label, at: Point(cellRect.midX - style.axisLine / 2, cellRect.midY - style.axisLine / 2), size: numberSize,
                                color: textColor, anchor: .middle, baseline: .middle, renderer: text)
                }
            }
        }
        for (r, name) in rowLabels.enumerated() where r < rows && r % every == 0 {
            canvas.draw(name, at: Point(x0 - style.gap, y0 + cell * (Double(r) + 0.5)), size: labelSize, color: .mutedInk,
                        anchor: .end, baseline: .middle, renderer: text)
        }
        labels.draw(on: &canvas, centers: (0..<cols).map { x0 + cell * (Double($0) + 0.5) }, top: y0 + gridH + style.gap,
                    size: labelSize, every: every, text: text)
        if !title.isEmpty {
            canvas.draw(text.fitting(title, maxWidth: w - Int(2 * style.pad), size: style.titleSize, weight: .bold),
                        at: Point(Double(w) / 2, style.pad), size: style.titleSize, weight: .bold, anchor: .middle,
                        baseline: .top, renderer: text)
        }
        if !xLabel.isEmpty {
            canvas.draw(xLabel, at: Point(x0 + gridW / 2, y0 + gridH + style.gap * 2 + labels.band), size: style.labelSize,
                        anchor: .middle, baseline: .top, renderer: text)
        }
        if !yLabel.isEmpty {
            canvas.draw(yLabel, at: Point(x0 - style.gap * 2 - rowLabelWidth - labelLine, y0 + gridH / 2), size: style.labelSize,
                        anchor: .middle, baseline: .top, orientation: .upward, renderer: text)
        }
        if showColorBar && rows > 0 {
            drawColorBar(on: &canvas, at: Rect(x: x0 + gridW + style.px(28), y: y0, width: barWidth, height: gridH - style.axisLine),
                         axis: barAxis, style: style, text: text)
        }
        return canvas
    }

    private func drawColorBar(on canvas: inout Canvas, at bar: Rect, axis: Axis, style: ChartStyle, text: TextRenderer) {
        let r = PixelRect(bar)
        for y in r.y..<r.maxY {
            let t = 1 - Double(y - r.y) / Double(max(1, r.height - 1))
            canvas.fill(PixelRect(x: r.x, y: y, width: r.width, height: 1), Palette.sequential(t))
        }
        canvas.stroke(bar, lineWidth: style.axisLine, Color(hex: 0xBBBBBB))
        for (t, label) in zip(axis.ticks, axis.labels) {
            let y = min(bar.maxY - style.axisLine, (bar.maxY - bar.height * axis.fraction(t)).rounded())
            canvas.fill(Rect(x: bar.maxX, y: y, width: style.px(4), height: style.axisLine), .mutedInk)
            canvas.draw(label, at: Point(bar.maxX + style.gap, y), size: style.tickSize, color: .mutedInk, baseline: .middle, renderer: text)
        }
    }
}
