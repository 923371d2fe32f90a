import Plotting
import Workflow

/// `plot run`: loss above accuracy, the best epoch and an early stop marked. Stacked, not side by
/// side, so that at a notebook's or report's page width (~900 px) the axis text stays legible.
extension RunValue: Plottable {
    public var plotKinds: [String] { ["curves", "loss", "accuracy", "lr"] }
    public var figureStem: String { "run-\(name)-curves" }

    public func figure(_ what: String) throws -> any Figure {
        switch what {
        case "loss": return lossChart()
        case "accuracy": return accuracyChart()
        case "lr": return rateChart()
        default:
            var loss = lossChart(), accuracy = accuracyChart()
            loss.height = 440
            accuracy.height = 440
            return Panels([loss, accuracy], direction: .vertical)
        }
    }

    /// Best epoch, early stop and the fine-tune's unfreezing, as vertical lines.
    var markers: [LineChart.VerticalMarker] {
        var out: [LineChart.VerticalMarker] = []
        var offset = 0
        for (i, p) in training.phases.enumerated() {
            if i > 0 { out.append(.init(x: Double(offset) + 0.5, label: p.phase == .all ? "backbone unfrozen" : "\(p.phase.name) from here", color: Palette.reddishPurple)) }
            offset += p.run.epochsRun
        }
        if let b = training.bestEpoch { out.append(.init(x: Double(b), label: "best epoch \(b)", color: Palette.bluishGreen)) }
        if training.stoppedEarly { out.append(.init(x: Double(training.epochsRun), label: "early stop")) }
        return out
    }

    func lossChart() -> LineChart {
        let h = training.history
        var chart = LineChart(title: "Loss, run \(name)", xLabel: "epoch", yLabel: "cross-entropy loss")
        let x = h.map { Double($0.epoch) }
        chart.series = [.init("train", x: x, y: h.map(\.trainLoss), color: Palette.blue)]
        let dev = h.filter { $0.devLoss != nil }
        if !dev.isEmpty { chart.series.append(.init("dev", x: dev.map { Double($0.epoch) }, y: dev.map { $0.devLoss! }, color: Palette.vermillion)) }
        // A first-epoch spike (or a diverged dev loss) would flatten the rest: cap the axis at
        // three times the median of the curves and let the clip cut the spike.
        let values = (h.map(\.trainLoss) + dev.map { $0.devLoss! }).filter(\.isFinite).sorted()
        if let median = values.isEmpty ? nil : values[values.count / 2], let top = values.last, top > 3 * median {
            chart.yRange = 0...(3 * median)
        }
        chart.verticalMarkers = markers
        return chart
    }

    func accuracyChart() -> LineChart {
        let h = training.history
        var chart = LineChart(title: "Accuracy, run \(name)", xLabel: "epoch", yLabel: "accuracy (%)")
        chart.series = [.init("train", x: h.map { Double($0.epoch) }, y: h.map { 100 * $0.trainAccuracy }, color: Palette.blue)]
        let dev = h.filter { $0.devAccuracy != nil }
        if !dev.isEmpty { chart.series.append(.init("dev", x: dev.map { Double($0.epoch) }, y: dev.map { 100 * $0.devAccuracy! }, color: Palette.vermillion)) }
        chart.yRange = 0...100
        chart.verticalMarkers = markers
        return chart
    }

    func rateChart() -> LineChart {
        let h = training.history
        var chart = LineChart(title: "Learning rate at the end of each epoch", xLabel: "epoch", yLabel: "learning rate")
        chart.series = [.init("lr", x: h.map { Double($0.epoch) }, y: h.map(\.learningRate), color: Palette.blue)]
        chart.verticalMarkers = markers
        return chart
    }
}
