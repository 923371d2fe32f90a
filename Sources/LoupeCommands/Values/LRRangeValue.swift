import LoupeLang
import Plotting
import Workflow

/// The result of `lr_range`: one short run per rate from the same starting weights.
public final class LRRangeValue: LoupeObject, Plottable {
    public let result: RangeTestResult
    /// The figure written by the command.
    public var figurePath: String?

    public init(_ result: RangeTestResult) { self.result = result }

    public var kind: String { "lr_range" }

    public var summary: String {
        let rates = result.curves.map { short($0.learningRate) }.joined(separator: ", ")
        return "lr_range over \(rates): " + (result.best.map { "best \(short($0))" } ?? "no rate made the loss fall consistently")
    }

    public var attributeNames: [String] { ["best", "table"] }

    public func attribute(named name: String) -> Value? {
        switch name {
        case "best": return result.best.map { .number($0) } ?? Value.none
        case "table": return .table(rateTable)
        default: return nil
        }
    }

    /// rate, first loss, last loss, decreasing? — largest rate first.
    public var rateTable: Table {
        Table(columns: ["rate", "first_loss", "last_loss", "decreasing"], rows: result.curves.map { c in
            [.number(c.learningRate), .number(c.first), .number(c.last), .bool(c.decreasing)]
        })
    }

    public var table: Table? { rateTable }
    public var figurePaths: [String] { figurePath.map { [$0] } ?? [] }

    // MARK: Plottable

    public var plotKinds: [String] { ["curves"] }
    public var figureStem: String { "lr-range" }

    /// Training loss per batch, one series per rate. The y axis stops at twice the largest
    /// starting loss, so a diverging rate leaves the plot instead of flattening the others.
    public func figure(_ what: String) throws -> any Figure {
        var chart = LineChart(title: "Learning-rate range test" + (result.best.map { ": best \(short($0))" } ?? ": no rate trains"),
                              xLabel: "batch", yLabel: "training loss")
        chart.series = result.curves.map { c in
            let y = c.losses.map { $0.isFinite ? $0 : 1e30 }
            return LineChart.Series("lr \(short(c.learningRate))\(c.decreasing ? "" : " (not decreasing)")", y: y, dashed: !c.decreasing, markers: false)
        }
        let firsts = result.curves.map(\.first).filter(\.isFinite)
        let finite = result.curves.flatMap(\.losses).filter(\.isFinite)
        if let top = firsts.max(), let low = finite.min() {
            let upper = min(finite.max()!, 2 * top)
            chart.yRange = max(0, low - 0.05 * (upper - low))...(upper * 1.02)
        }
        return chart
    }
}

extension LRRangeValue {
    /// `help lr_range`: the kind and the attributes it answers (KindDocTests compares them with `attributeNames`).
    public static var kindDoc: KindDoc {
        KindDoc(kind: "lr_range", summary: "a learning-rate range test (lr_range)", attributes: [
            ("best", "the largest rate whose training loss falls consistently (none when no rate does)"),
            ("table", "rate, first loss, last loss, decreasing?"),
        ])
    }
}
