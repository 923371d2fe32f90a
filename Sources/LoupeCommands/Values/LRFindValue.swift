import Foundation
import LoupeLang
import Plotting
import Workflow

/// The result of `lr_find`: fastai's sweep and its suggestions.
public final class LRFindValue: LoupeObject, Plottable {
    public let sweep: LearningRateSweep
    public var figurePath: String?

    public init(_ sweep: LearningRateSweep) { self.sweep = sweep }

    public var kind: String { "lr_find" }

    public var summary: String {
        "lr_find over \(sweep.rates.count) batches: suggestion (valley) \(rate2(sweep.valley)), minimum/10 \(rate2(sweep.minimum)), steepest \(rate2(sweep.steep))"
    }

    public var attributeNames: [String] { ["suggestion", "minimum", "steep", "table"] }

    public func attribute(named name: String) -> Value? {
        switch name {
        case "suggestion": return .number(sweep.suggestion)
        case "minimum": return .number(sweep.minimum)
        case "steep": return .number(sweep.steep)
        case "table": return .table(sweepTable)
        default: return nil
        }
    }

    /// rate and smoothed loss of every batch of the sweep.
    public var sweepTable: Table {
        Table(columns: ["rate", "smoothed_loss"], rows: zip(sweep.rates, sweep.losses).map { [.number($0), .number($1)] })
    }

    public var table: Table? { sweepTable }
    public var figurePaths: [String] { figurePath.map { [$0] } ?? [] }

    // MARK: Plottable

    public var plotKinds: [String] { ["curve"] }
    public var figureStem: String { "lr-find" }

    /// Smoothed loss against the rate on a log axis, the three suggestions marked on the curve.
    public func figure(_ what: String) throws -> any Figure {
        var chart = LineChart(title: "Learning-rate finder: suggestion \(rate2(sweep.suggestion))", xLabel: "learning rate (log scale)", yLabel: "smoothed training loss")
        let finite = zip(sweep.rates, sweep.losses).filter { $0.1.isFinite }
        chart.series = [LineChart.Series("smoothed loss", x: finite.map(\.0), y: finite.map(\.1), markers: false)]
        chart.xScale = .log
        if let low = finite.map(\.1).min(), let first = finite.first?.1 {
            // The sweep ends at 4x the minimum; show the climb but keep the valley readable.
            let upper = min(finite.map(\.1).max()!, max(first, low) * 1.6)
            chart.yRange = (low - 0.05 * (upper - low))...upper
        }
        func lossAt(_ rate: Double) -> Double {
            let nearest = finite.min { abs(log10($0.0) - log10(rate)) < abs(log10($1.0) - log10(rate)) }
            return nearest?.1 ?? 0
        }
        chart.pointLabels = [
            .init(x: sweep.valley, y: lossAt(sweep.valley), label: "valley \(rate2(sweep.valley))", color: Palette.vermillion),
            .init(x: sweep.minimum, y: lossAt(sweep.minimum), label: "min/10 \(rate2(sweep.minimum))", color: Palette.bluishGreen),
            .init(x: sweep.steep, y: lossAt(sweep.steep), label: "steep \(rate2(sweep.steep))", color: Palette.orange),
        ]
        return chart
    }
}

extension LRFindValue {
    /// `help lr_find`: the kind and the attributes it answers (KindDocTests compares them with `attributeNames`).
    public static var kindDoc: KindDoc {
        KindDoc(kind: "lr_find", summary: "fastai's learning-rate sweep (lr_find)", attributes: [
            ("suggestion", "fastai's valley suggestion"),
            ("minimum", "a tenth of the rate with the lowest loss"),
            ("steep", "the rate where the loss falls fastest"),
            ("table", "rate and smoothed loss per batch"),
        ])
    }
}
