import Imaging
import Plotting

/// Fixed data for the golden figures: shapes like real training runs, generated without randomness.
enum SampleData {
    /// Train and dev loss over 14 epochs: dev loss bottoms out at epoch 9, training stops at epoch 12.
    static let trainLoss: [Double] = [2.10, 1.45, 1.12, 0.93, 0.80, 0.70, 0.62, 0.55, 0.49, 0.44, 0.40, 0.36]
    static let devLoss: [Double] = [1.80, 1.30, 1.05, 0.92, 0.84, 0.79, 0.76, 0.74, 0.73, 0.74, 0.76, 0.79]

    static func lossChart() -> LineChart {
        var chart = LineChart(title: "Loss per epoch", xLabel: "epoch", yLabel: "cross-entropy loss", series: [
            .init("train", y: trainLoss),
            .init("dev", y: devLoss),
        ])
        chart.verticalMarkers = [
            .init(x: 9, label: "best epoch 9 (dev 0.73)", color: Palette.bluishGreen),
            .init(x: 12, label: "early stop", color: .mutedInk),
        ]
        return chart
    }

    static func accuracyChart() -> LineChart {
        var chart = LineChart(title: "Accuracy per epoch", xLabel: "epoch", yLabel: "accuracy", series: [
            .init("train", y: [0.42, 0.58, 0.66, 0.71, 0.75, 0.79, 0.82, 0.84, 0.86, 0.88, 0.90, 0.91]),
            .init("dev", y: [0.48, 0.60, 0.67, 0.70, 0.73, 0.75, 0.76, 0.77, 0.78, 0.775, 0.77, 0.765]),
        ])
        chart.yRange = 0...1
        chart.verticalMarkers = [.init(x: 9, label: "best epoch 9", color: Palette.bluishGreen)]
        return chart
    }

    /// Loss over 40 batches for four learning rates: 0.1 diverges, 0.01 falls fastest.
    static func lrRangeChart() -> LineChart {
        let rates = [0.1, 0.01, 0.001, 0.0001]
        let series = rates.enumerated().map { i, rate -> LineChart.Series in
            let y = (0..<40).map { b -> Double in
                let t = Double(b)
                switch i {
                case 0: return 2.3 + 0.02 * t * t / 10 + 0.15 * Double((b * 7) % 5) / 5
                case 1: return 0.6 + 1.7 * expDecay(t, 8) + 0.05 * Double((b * 3) % 4) / 4
                case 2: return 1.2 + 1.1 * expDecay(t, 25)
                default: return 2.1 + 0.2 * expDecay(t, 60)
                }
            }
            return .init("lr \(rate)", x: (1...40).map(Double.init), y: y)
        }
        return LineChart(title: "Learning-rate range test", xLabel: "batch", yLabel: "training loss", series: series)
    }

    /// An exponential learning-rate sweep from 1e-7 to 10 with a smoothed loss and its suggestions.
    static func lrSweepChart() -> LineChart {
        let n = 100
        var xs: [Double] = [], ys: [Double] = []
        for i in 0..<n {
            let logLR = -7 + 8 * Double(i) / Double(n - 1)
            let lr = pow10(logLR)
            // Flat, then falling from 1e-4, minimum near 0.1, blowing up after.
            let fall = 1 / (1 + pow10(-(logLR + 3) * 2))
            let rise = logLR > -1 ? (logLR + 1) * (logLR + 1) * 2.4 : 0
            xs.append(lr)
            ys.append(2.3 - 1.6 * fall + rise)
        }
        var chart = LineChart(title: "Learning-rate finder", xLabel: "learning rate (log scale)", yLabel: "smoothed loss",
                              series: [.init("smoothed loss", x: xs, y: ys, markers: false)])
        chart.xScale = .log
        chart.pointLabels = [
            .init(x: 1e-3, y: 1.5, label: "valley 1e-3", color: Palette.vermillion),
            .init(x: xs[81], y: ys[81], label: "minimum 0.35", color: Palette.bluishGreen),
        ]
        return chart
    }

    static func expDecay(_ t: Double, _ tau: Double) -> Double {
        var v = 1.0
        for _ in 0..<Int(t) { v *= 1 - 1 / tau }
        return v
    }

    static func pow10(_ e: Double) -> Double {
        var v = 1.0
        let whole = Int(e.rounded(.down))
        for _ in 0..<abs(whole) { v = whole < 0 ? v / 10 : v * 10 }
        let frac = e - Double(whole)
        // 10^frac = e^(frac ln 10) by series; enough terms for 15 digits on [0, 1).
        let x = frac * 2.302585092994046
        var term = 1.0, sum = 1.0
        for k in 1..<30 {
            term *= x / Double(k)
            sum += term
        }
        return v * sum
    }
}

extension SampleData {
    static let classNames = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]

    static func classCountChart() -> BarChart {
        BarChart.classCounts(names: classNames, counts: [1000, 980, 1012, 430, 995, 1003, 240, 1001, 990, 1007])
    }

    /// Class names too long for their slots, which must wrap or turn.
    static func longNameBarChart() -> BarChart {
        let names = ["scratch_on_surface", "missing_screw", "ok", "discoloured_paint_near_edge", "bent_pin", "crack",
                     "foreign_particle", "label_misaligned", "dent", "weld_spatter", "burr", "ok_but_dusty"]
        return BarChart.classCounts(names: names, counts: [320, 45, 2400, 180, 95, 610, 150, 75, 220, 60, 130, 1900],
                                    title: "Images per class (long names)")
    }

    /// A 10-class confusion matrix: mostly diagonal, cat/dog and automobile/truck confused.
    static let confusion: [[Int]] = (0..<10).map { t in
        (0..<10).map { p -> Int in
            if t == p { return [912, 955, 801, 642, 870, 733, 921, 902, 940, 928][t] }
            if (t, p) == (3, 5) { return 201 }
            if (t, p) == (5, 3) { return 168 }
            if (t, p) == (1, 9) { return 31 }
            if (t, p) == (9, 1) { return 47 }
            return (t * 7 + p * 3) % 11
        }
    }

    static func confusionCounts() -> Heatmap { Heatmap.confusionMatrix(classNames: classNames, counts: confusion, normalized: false) }
    static func confusionNormalized() -> Heatmap { Heatmap.confusionMatrix(classNames: classNames, counts: confusion, normalized: true) }

    /// Confidence of right predictions piles up near 1; wrong ones spread lower.
    static func confidenceHistogram() -> Histogram {
        let right = (0..<600).map { i -> Double in 1 - 0.35 * Double((i * 37) % 100) / 100 * Double((i * 11) % 100) / 100 }
        let wrong = (0..<120).map { i -> Double in 0.25 + 0.6 * Double((i * 53) % 100) / 100 }
        return Histogram(title: "Prediction confidence", xLabel: "confidence of the predicted class",
                         groups: [.init("right", values: right, color: Palette.blue), .init("wrong", values: wrong, color: Palette.vermillion)],
                         bins: 20, range: 0...1)
    }

    /// A 28×28 grey "digit": a ring, a bar or a cross depending on `kind`, drawn with soft edges.
    static func greyGlyph(_ kind: Int) -> Image {
        var img = Image(width: 28, height: 28, channels: 1)
        for y in 0..<28 {
            for x in 0..<28 {
                let dx = Double(x) - 13.5, dy = Double(y) - 13.5
                let r = (dx * dx + dy * dy).squareRoot()
                let d: Double = switch kind % 3 {
                case 0: abs(r - 8)
                case 1: abs(dx - Double(kind % 5) + 2)
                default: min(abs(dx - dy), abs(dx + dy))
                }
                img[x, y, 0] = UInt8(max(0, min(255, 255 - (d - 1.5) * 120)))
            }
        }
        return img
    }

    /// A 32×32 RGB pattern: a coloured disc on a gradient, varied by `seed`.
    static func colourTile(_ seed: Int) -> Image {
        var img = Image(width: 32, height: 32, channels: 3)
        let hue = Palette.series(seed)
        for y in 0..<32 {
            for x in 0..<32 {
                let dx = Double(x - 12 - seed % 8), dy = Double(y - 16 + seed % 5)
                let inside = dx * dx + dy * dy < 64
                let bg = UInt8(40 + (x + y) * 3)
                img[x, y, 0] = inside ? hue.r : bg
                img[x, y, 1] = inside ? hue.g : UInt8(60 + y * 4)
                img[x, y, 2] = inside ? hue.b : UInt8(200 - x * 3)
            }
        }
        return img
    }

    /// A 240×160 RGB photo-sized image (stripes), shown shrunk.
    static func largeImage() -> Image {
        var img = Image(width: 240, height: 160, channels: 3)
        for y in 0..<160 {
            for x in 0..<240 {
                img[x, y, 0] = UInt8((x * 255) / 239)
                img[x, y, 1] = UInt8(((x / 12 + y / 12) % 2) * 200)
                img[x, y, 2] = UInt8((y * 255) / 159)
            }
        }
        return img
    }

    static func mistakesGrid() -> ImageGrid {
        let truths = ["cat", "dog", "automobile", "truck", "bird", "airplane", "deer", "horse"]
        let preds = ["dog", "cat", "truck", "automobile", "airplane", "bird", "horse", "horse"]
        let cells = (0..<8).map { i in
            ImageGrid.Cell.prediction(i % 2 == 0 ? greyGlyph(i) : colourTile(i), trueLabel: truths[i], predicted: preds[i],
                                      confidence: 0.97 - Double(i) * 0.06)
        }
        return ImageGrid(title: "Worst mistakes", cells: cells, columns: 4)
    }

    static func montageGrid() -> ImageGrid {
        var cells: [ImageGrid.Cell] = []
        for c in 0..<3 {
            for k in 0..<8 { cells.append(.init(c == 2 ? colourTile(k + c) : greyGlyph(c * 8 + k))) }
        }
        var grid = ImageGrid(title: "Samples per class", cells: cells, columns: 8)
        grid.rowLabels = ["ring", "bar", "colour_disc_class"]
        return grid
    }

    static func mixedGrid() -> ImageGrid {
        ImageGrid(title: "Mean image per class", cells: [
            .init(greyGlyph(0), caption: ["ring (grey 28×28)"]),
            .init(colourTile(3), caption: ["disc (RGB 32×32)"]),
            .init(largeImage(), caption: ["large (240×160)", "shrunk to fit"]),
        ])
    }
}

extension SampleData {
    /// 30 classes: cells too small for every number, names that must turn.
    static let manyNames = (0..<30).map { "species_\($0 < 10 ? "0" : "")\($0)" + ($0 % 7 == 0 ? "_long_name" : "") }

    static func manyClassHeatmap() -> Heatmap {
        let counts = (0..<30).map { t in (0..<30).map { p in t == p ? 40 + (t * 13) % 60 : ((t * 31 + p * 17) % 23 == 0 ? 9 : (t + p) % 5 == 0 ? 1 : 0) } }
        return Heatmap.confusionMatrix(classNames: manyNames, counts: counts, normalized: false)
    }

    static func manyClassBars() -> BarChart {
        BarChart.classCounts(names: manyNames, counts: (0..<30).map { 200 + ($0 * 397) % 900 })
    }

    /// Originals in the first column, augmented variants beside them, one row per sample.
    static func augmentationPreview() -> ImageGrid {
        var cells: [ImageGrid.Cell] = []
        for r in 0..<3 {
            let original = colourTile(r * 2)
            cells.append(.init(original, caption: ["original"]))
            for (k, name) in ["flip", "crop", "rotate 10°", "colour jitter"].enumerated() {
                var v = original
                for y in 0..<32 {
                    for x in 0..<32 {
                        let (sx, sy) = switch k {
                        case 0: (31 - x, y)
                        case 1: (4 + x * 3 / 4, 4 + y * 3 / 4)
                        case 2: (min(31, max(0, x + (y - 16) / 6)), min(31, max(0, y - (x - 16) / 6)))
                        default: (x, y)
                        }
                        for c in 0..<3 {
                            let p = Int(original[sx, sy, c])
                            v[x, y, c] = k == 3 ? UInt8(min(255, p * (c == 0 ? 5 : 3) / 4)) : UInt8(p)
                        }
                    }
                }
                cells.append(.init(v, caption: [name]))
            }
        }
        var grid = ImageGrid(title: "Augmentation preview", cells: cells, columns: 5)
        grid.tileSize = 96
        return grid
    }
}
