/// A key of series names and their colours, placed in the plot corner that hides the fewest data points.
struct Legend {
    enum Swatch {
        case line(dashed: Bool)
        case box
    }

    struct Entry {
        var name: String
        var color: Color
        var swatch: Swatch
    }

    var entries: [Entry]

    private func metrics(style: ChartStyle, text: TextRenderer) -> (swatch: Double, row: Double, size: (Double, Double)) {
        let swatch = style.px(22)
        let row = Double(text.lineHeight(size: style.tickSize)) + style.px(3)
        let widest = Double(entries.map { text.width(of: $0.name, size: style.tickSize) }.max() ?? 0)
        return (swatch, row, (style.px(10) * 2 + swatch + style.gap + widest, style.px(8) * 2 + row * Double(entries.count)))
    }

    /// The corner rectangle inside `plot` that covers the fewest of `points`; ties go to top right, top left, bottom right, bottom left.
    func placement(in plot: Rect, avoiding points: [Point], style: ChartStyle, text: TextRenderer) -> Rect {
        let (w, h) = metrics(style: style, text: text).size
        let inset = style.px(8)
        let candidates = [
            Rect(x: plot.maxX - inset - w, y: plot.y + inset, width: w, height: h),
            Rect(x: plot.x + inset, y: plot.y + inset, width: w, height: h),
            Rect(x: plot.maxX - inset - w, y: plot.maxY - inset - h, width: w, height: h),
            Rect(x: plot.x + inset, y: plot.maxY - inset - h, width: w, height: h),
        ]
        var best = candidates[0], fewest = Int.max
        for c in candidates {
            let grown = c.insetBy(-style.px(4))
            let n = points.reduce(0) { $0 + (grown.contains($1) ? 1 : 0) }
            if n < fewest {
                fewest = n
                best = c
            }
        }
        return best
    }

    /// Draws the legend box at `rect` (from `placement`).
    func draw(on canvas: inout Canvas, at rect: Rect, style: ChartStyle, text: TextRenderer) {
        guard !entries.isEmpty else { return }
        let m = metrics(style: style, text: text)
        let box = PixelRect(rect)
        canvas.fill(box, Color.white.opacity(0.9))
        canvas.stroke(rect, lineWidth: style.axisLine, Color(hex: 0xCCCCCC))
        for (i, e) in entries.enumerated() {
            let cy = rect.y + style.px(8) + m.row * (Double(i) + 0.5)
            let x0 = rect.x + style.px(10)
            switch e.swatch {
            case .line(let dashed):
                canvas.strokeLine(from: Point(x0, cy), to: Point(x0 + m.swatch, cy), width: style.lineWidth, e.color,
                                  dash: dashed ? [style.px(5), style.px(3)] : nil)
            case .box:
                let s = style.px(11)
                canvas.fill(Rect(x: x0 + (m.swatch - s) / 2, y: (cy - s / 2).rounded(), width: s, height: s), e.color)
            }
            canvas.draw(e.name, at: Point(x0 + m.swatch + style.gap, cy), size: style.tickSize, anchor: .start,
                        baseline: .middle, renderer: text)
        }
    }
}
