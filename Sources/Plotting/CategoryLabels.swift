/// Labels under category slots (bar chart classes, heatmap columns): straight, wrapped on two lines, or turned upwards.
///
/// Straight labels are easiest to read, so they win whenever every label fits its slot; then
/// two-line wrapping at spaces, underscores and hyphens; long names are turned 90° and shortened
/// with an ellipsis past `maxLength` pixels.
struct CategoryLabels {
    enum Mode {
        case straight
        case wrapped
        case upward
    }

    let mode: Mode
    /// Each label's lines (one line unless wrapped).
    let lines: [[String]]
    /// Pixels the labels need across the axis.
    let band: Double
    private let lineHeight: Double

    init(_ labels: [String], slot: Double, maxLength: Double, size: Int, gap: Double, text: TextRenderer) {
        let room = Int(slot - gap)
        lineHeight = Double(text.lineHeight(size: size))
        if labels.allSatisfy({ text.width(of: $0, size: size) <= room }) {
            mode = .straight
            lines = labels.map { [$0] }
            band = lineHeight
        } else if let wrapped = CategoryLabels.wrap(labels, room: room, size: size, text: text) {
            mode = .wrapped
            lines = wrapped
            band = lineHeight * 2
        } else {
            mode = .upward
            lines = labels.map { [text.fitting($0, maxWidth: Int(maxLength), size: size)] }
            band = Double(lines.map { text.width(of: $0[0], size: size) }.max() ?? 0)
        }
    }

    /// Every label broken into at most two lines that each fit `room`, or nil when one does not fit.
    static func wrap(_ labels: [String], room: Int, size: Int, text: TextRenderer) -> [[String]]? {
        var out: [[String]] = []
        for label in labels {
            if text.width(of: label, size: size) <= room {
                out.append([label])
                continue
            }
            var best: [String]?
            let chars = Array(label)
            for (i, c) in chars.enumerated() where c == " " || c == "_" || c == "-" {
                // A space is dropped at the break; "_" and "-" stay at the end of the first line.
                let head = String(chars[..<(c == " " ? i : i + 1)]), tail = String(chars[(i + 1)...])
                if text.width(of: head, size: size) <= room && text.width(of: tail, size: size) <= room {
                    best = [head, tail]
                    break
                }
            }
            guard let best else { return nil }
            out.append(best)
        }
        return out
    }

    /// Draws label i centred on `centers[i]`, starting `top` pixels down; only every `every`-th when slots are too narrow.
    func draw(on canvas: inout Canvas, centers: [Double], top: Double, size: Int, every: Int = 1, text: TextRenderer) {
        for (i, (label, cx)) in zip(lines, centers).enumerated() where i % max(1, every) == 0 {
            switch mode {
            case .straight, .wrapped:
                for (k, line) in label.enumerated() {
                    canvas.draw(line, at: Point(cx, top + Double(k) * lineHeight), size: size, color: .mutedInk,
                                anchor: .middle, baseline: .top, renderer: text)
                }
            case .upward:
                canvas.draw(label[0], at: Point(cx, top), size: size, color: .mutedInk, anchor: .end, baseline: .middle,
                            orientation: .upward, renderer: text)
            }
        }
    }
}
