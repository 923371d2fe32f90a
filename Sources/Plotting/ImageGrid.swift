import Imaging

/// Images in a grid with captions under each (samples, augmentation previews, mistakes, class montages, mean images).
public struct ImageGrid: Figure {
    /// One image and the lines of text under it.
    public struct Cell: Sendable {
        public var image: Image
        public var caption: [String]
        public var captionColor: Color
        /// A coloured border drawn around the image (e.g. to flag a wrong prediction); nil for none.
        public var frame: Color?

        public init(_ image: Image, caption: [String] = [], captionColor: Color = .ink, frame: Color? = nil) {
            self.image = image
            self.caption = caption
            self.captionColor = captionColor
            self.frame = frame
        }

        /// A misclassified sample captioned "true / predicted / confidence", in the warning colour when wrong.
        public static func prediction(_ image: Image, trueLabel: String, predicted: String, confidence: Double) -> Cell {
            let wrong = trueLabel != predicted
            let percent = Int((confidence * 100).rounded())
            return Cell(image, caption: ["true: \(trueLabel)", "predicted: \(predicted)", "confidence \(percent)%"],
                        captionColor: wrong ? Palette.wrong : .ink, frame: wrong ? Palette.wrong : nil)
        }
    }

    public var title: String
    public var cells: [Cell]
    /// Images per row; nil picks a landscape arrangement.
    public var columns: Int?
    /// One label per row, written at its left (per-class montages); nil for none.
    public var rowLabels: [String]?
    /// Side of the square each image is fitted into, in points at scale 1; nil fills `width` up to 160.
    public var tileSize: Int?
    /// Figure width in points at scale 1; the height follows from the rows.
    public var width = 960
    public var font: FontSource = .automatic

    public init(title: String = "", cells: [Cell], columns: Int? = nil) {
        self.title = title
        self.cells = cells
        self.columns = columns
    }

    public func render(scale: Double = 1) -> Canvas {
        let style = ChartStyle(scale: scale)
        let text = TextRenderer(font)
        let n = cells.count
        let cols = max(1, columns ?? min(max(n, 1), Int((Double(n) * 1.6).squareRoot().rounded(.up))))
        let rows = max(1, (n + cols - 1) / cols)
        let w = style.pixels(width)
        let gap = style.px(12)
        let captionLine = Double(text.lineHeight(size: style.smallSize))
        let captionLines = cells.map(\.caption.count).max() ?? 0
        let labelWidth = Double(rowLabels?.map { text.width(of: $0, size: style.tickSize) }.max() ?? 0)
        let labelRoom = labelWidth > 0 ? min(labelWidth, Double(w) * 0.25) + gap : 0
        let available = (Double(w) - 2 * style.pad - labelRoom - gap * Double(cols - 1)) / Double(cols)
        let tile = max(8, (tileSize.map { style.px(Double($0)) } ?? min(available, style.px(160))).rounded(.down))
        // Every image leaves room for a frame, so framed and plain cells line up.
        let t = max(2, style.px(3).rounded())
        let room = PixelRect(x: 0, y: 0, width: Int(tile - 2 * t), height: Int(tile - 2 * t))
        let fitted = cells.map { Canvas.fit($0.image, in: room) }
        // Shrink the tile to the largest image actually shown (a 32×32 image in a 96 tile is shown 64×64),
        // but keep it as wide as the captions so they do not run into the next column.
        let captionWidth = Double(cells.flatMap(\.caption).map { text.width(of: $0, size: style.smallSize) }.max() ?? 0)
        let tileW = min(tile, max(Double(fitted.map(\.width).max() ?? 0) + 2 * t, captionWidth))
        let tileH = min(tile, Double(fitted.map(\.height).max() ?? 0) + 2 * t)
        let gridWidth = tileW * Double(cols) + gap * Double(cols - 1) + labelRoom
        let x0 = max(style.pad, ((Double(w) - gridWidth) / 2).rounded()) + labelRoom
        var top = style.pad
        if !title.isEmpty { top += Double(text.lineHeight(size: style.titleSize)) + style.gap * 2 }
        let rowHeight = tileH + (captionLines > 0 ? style.px(4) + captionLine * Double(captionLines) : 0) + gap
        let h = Int((top + rowHeight * Double(rows) - gap + style.pad).rounded())
        var canvas = Canvas(width: max(w, Int(x0 + gridWidth - labelRoom + style.pad)), height: max(1, h))

        if !title.isEmpty {
            canvas.draw(text.fitting(title, maxWidth: canvas.width - Int(2 * style.pad), size: style.titleSize, weight: .bold),
                        at: Point(Double(canvas.width) / 2, style.pad), size: style.titleSize, weight: .bold,
                        anchor: .middle, baseline: .top, renderer: text)
        }
        for (i, cell) in cells.enumerated() {
            let r = i / cols, c = i % cols
            let box = PixelRect(x: Int(x0 + (tileW + gap) * Double(c)), y: Int(top + rowHeight * Double(r)), width: Int(tileW), height: Int(tileH))
            let size = fitted[i]
            let placed = PixelRect(x: box.x + (box.width - size.width) / 2, y: box.y + (box.height - size.height) / 2,
                                   width: size.width, height: size.height)
            canvas.draw(cell.image, in: placed)
            if let frame = cell.frame {
                canvas.stroke(Rect(x: Double(placed.x) - t, y: Double(placed.y) - t, width: Double(placed.width) + 2 * t,
                                   height: Double(placed.height) + 2 * t), lineWidth: t, frame)
            }
            for (k, line) in cell.caption.enumerated() {
                let fitted = text.fitting(line, maxWidth: Int(tileW + gap * 0.8), size: style.smallSize)
                canvas.draw(fitted, at: Point(Double(box.x) + tileW / 2, Double(box.maxY) + style.px(4) + captionLine * Double(k)),
                            size: style.smallSize, color: cell.captionColor, anchor: .middle, baseline: .top, renderer: text)
            }
        }
        for (r, label) in (rowLabels ?? []).enumerated() where r < rows {
            let fitted = text.fitting(label, maxWidth: Int(labelRoom - gap), size: style.tickSize)
            canvas.draw(fitted, at: Point(x0 - gap, top + rowHeight * Double(r) + tileH / 2), size: style.tickSize,
                        anchor: .end, baseline: .middle, renderer: text)
        }
        return canvas
    }
}
