import Foundation
import Plotting
import Workflow
import LoupeLang

/// `plot u`: the log over time per model version (accuracy and volume), or a reliability diagram.
extension UsageValue: Plottable {
    public var plotKinds: [String] { grouping == .confidence ? ["reliability", "time"] : ["time", "reliability"] }

    public func figure(_ what: String) throws -> any Figure {
        what == "reliability" ? try reliabilityFigure() : try timeFigure()
    }

    public var figureStem: String { "usage-\(grouping.rawValue)" }

    /// The time unit of the time figure: the grouping's week or day; otherwise days when the log
    /// spans several, else each `predict` call (one timestamp each), labelled by its time.
    var timeUnit: UsageGrouping {
        if grouping == .week || grouping == .day { return grouping }
        let days = Set(contents.predictions.map(\.day) + contents.verdicts.map(\.prediction.day))
        return days.count > 1 ? .day : .model   // .model here stands for "per predict call"
    }

    private func bucket(_ e: PredictionLogEntry, unit: UsageGrouping) -> String {
        switch unit {
        case .week: return isoWeek(e.time)
        case .day: return e.day
        default: return e.time
        }
    }

    private func bucketLabel(_ key: String, unit: UsageGrouping) -> String {
        switch unit {
        case .week: return key   // "2026-W48"
        case .day: return String(key.dropFirst(5))   // "11-22"
        default: return key.count >= 16 ? String(key.dropFirst(5).prefix(11)).replacingOccurrences(of: "T", with: " ") : key   // "11-22 14:05"
        }
    }

    /// "version 2", or "3f2a… v2" when the log holds several models.
    private func versionNames(_ keys: [VersionKey]) -> [VersionKey: String] {
        let models = Set(keys.map(\.model))
        return Dictionary(uniqueKeysWithValues: keys.map { k in
            (k, models.count > 1 ? "model \(k.model.prefix(6)) v\(k.version)" : "version \(k.version)")
        })
    }

    struct VersionKey: Hashable, Comparable {
        var model: String
        var version: Int
        static func < (a: VersionKey, b: VersionKey) -> Bool { (a.model, a.version) < (b.model, b.version) }
    }

    func timeFigure() throws -> any Figure {
        guard !contents.predictions.isEmpty || !contents.verdicts.isEmpty else {
            throw CommandError.invalidArgument(parameter: "value", message: "the log \(path) has no prediction to draw")
        }
        let unit = timeUnit
        let verdicts = latest(contents.verdicts).filter { $0.isCorrect != nil }
        let buckets = Array(Set(contents.predictions.map { bucket($0, unit: unit) } + verdicts.map { bucket($0.prediction, unit: unit) })).sorted()
        let position = Dictionary(uniqueKeysWithValues: buckets.enumerated().map { ($1, Double($0 + 1)) })
        let versions = Array(Set(contents.predictions.map { VersionKey(model: $0.model, version: $0.version) }
                                 + verdicts.map { VersionKey(model: $0.prediction.model, version: $0.prediction.version) })).sorted()
        let names = versionNames(versions)
        var counts: [VersionKey: [String: Int]] = [:], judged: [VersionKey: [String: (n: Int, right: Int)]] = [:]
        for e in contents.predictions { counts[VersionKey(model: e.model, version: e.version), default: [:]][bucket(e, unit: unit), default: 0] += 1 }
        for v in verdicts {
            let k = VersionKey(model: v.prediction.model, version: v.prediction.version), b = bucket(v.prediction, unit: unit)
            judged[k, default: [:]][b, default: (0, 0)].n += 1
            if v.isCorrect == true { judged[k, default: [:]][b, default: (0, 0)].right += 1 }
        }
        let unitName = unit == .week ? "week" : unit == .day ? "day" : "prediction batch"
        let ticks = buckets.map { (x: position[$0]!, label: bucketLabel($0, unit: unit)) }

        var accuracySeries: [LineChart.Series] = [], labels: [LineChart.PointLabel] = [], errorBars: [LineChart.Series] = []
        for (i, k) in versions.enumerated() {
            let points = (judged[k] ?? [:]).sorted { $0.key < $1.key }
            guard !points.isEmpty else { continue }
            let color = Palette.series(i)
            accuracySeries.append(.init(names[k]!, x: points.map { position[$0.key]! }, y: points.map { 100 * Double($0.value.right) / Double($0.value.n) },
                                        color: color, markers: true))
            // The 95% interval as a bar through each point: wide where few were verified.
            for p in points {
                if let ci = wilsonInterval(correct: p.value.right, of: p.value.n) {
                    errorBars.append(.init("", x: [position[p.key]!, position[p.key]!], y: [100 * ci.lowerBound, 100 * ci.upperBound],
                                           color: color.opacity(0.45), markers: false))
                }
            }
            // The number verified beside each point, so a rate out of 3 never passes for a rate out of 300.
            if points.count <= 12 {
                labels += points.map { LineChart.PointLabel(x: position[$0.key]!, y: 100 * Double($0.value.right) / Double($0.value.n),
                                                            label: "n=\($0.value.n)", color: color) }
            }
        }
        let verified = verdicts.count, right = verdicts.count { $0.isCorrect == true }
        var accuracy = LineChart(title: verified > 0
                                    ? "Accuracy on verified predictions per \(unitName) (\(verified) verified, \(percent(Double(right) / Double(verified))) right)"
                                    : "Accuracy per \(unitName): no prediction verified yet",
                                 xLabel: "\(unitName) (bars: 95% interval of each accuracy)", yLabel: "accuracy (%)", series: errorBars + accuracySeries)
        accuracy.xTickLabels = ticks
        accuracy.pointLabels = labels
        accuracy.xRange = 0.5...(Double(buckets.count) + 0.5)
        let low = (errorBars + accuracySeries).flatMap(\.y).min() ?? 0
        accuracy.yRange = max(0, (low / 10).rounded(.down) * 10 - 10)...100
        accuracy.width = 960; accuracy.height = 420

        var volumeSeries: [LineChart.Series] = []
        for (i, k) in versions.enumerated() {
            let c = (counts[k] ?? [:]).sorted { $0.key < $1.key }
            if !c.isEmpty {
                volumeSeries.append(.init("\(names[k]!) predictions", x: c.map { position[$0.key]! }, y: c.map { Double($0.value) },
                                          color: Palette.series(i), markers: true))
            }
            let j = (judged[k] ?? [:]).sorted { $0.key < $1.key }
            if !j.isEmpty {
                volumeSeries.append(.init("\(names[k]!) verified", x: j.map { position[$0.key]! }, y: j.map { Double($0.value.n) },
                                          color: Palette.series(i), dashed: true, markers: true))
            }
        }
        var volume = LineChart(title: "Predictions and verified predictions per \(unitName)", xLabel: unitName,
                               yLabel: "images", series: volumeSeries)
        volume.xTickLabels = ticks
        volume.xRange = 0.5...(Double(buckets.count) + 0.5)
        // Headroom above the curves, where the legend goes.
        volume.yRange = 0...max(1, (volumeSeries.flatMap(\.y).max() ?? 1) * 2)
        volume.width = 960; volume.height = 340
        return Panels([accuracy, volume], direction: .vertical)
    }

    func reliabilityFigure() throws -> any Figure {
        let verdicts = latest(contents.verdicts).filter { $0.isCorrect != nil }
        guard !verdicts.isEmpty else {
            throw CommandError.invalidArgument(parameter: "value", message: "no prediction in \(path) was verified, so there is no accuracy to draw; verify p \"DIR\" records what a person decided")
        }
        let bins = reliabilityBins(verdicts)
        let used = bins.filter { $0.count > 0 }
        var series: [LineChart.Series] = [.init("perfectly calibrated", x: [0, 100], y: [0, 100], color: .mutedInk, dashed: true, markers: false)]
        for b in used {
            if let ci = wilsonInterval(correct: b.correct, of: b.count) {
                series.append(.init("", x: [100 * b.meanConfidence, 100 * b.meanConfidence], y: [100 * ci.lowerBound, 100 * ci.upperBound],
                                    color: Palette.series(0).opacity(0.4), markers: false))
            }
        }
        series.append(.init("verified predictions (bars: 95% interval)", x: used.map { 100 * $0.meanConfidence }, y: used.map { 100 * ($0.accuracy ?? 0) },
                            color: Palette.series(0), markers: true))
        var chart = LineChart(title: "Reliability: accuracy against confidence, \(verdicts.count) verified predictions",
                              xLabel: "mean confidence the model gave (%)", yLabel: "accuracy on verified predictions (%)", series: series)
        // Bins of a handful say little; their interval bars say so, a label would only crowd them.
        chart.pointLabels = used.filter { $0.count >= 5 }.map { LineChart.PointLabel(x: 100 * $0.meanConfidence, y: 100 * ($0.accuracy ?? 0),
                                                            label: "\(percent($0.accuracy ?? 0)) of \($0.count)", color: Palette.series(0)) }
        chart.xRange = 0...100
        chart.yRange = 0...100
        chart.width = 960; chart.height = 520
        // Where to trust the model: the accuracy of everything at or above each threshold.
        var counts = BarChart(title: "Verified predictions per confidence band (red: under half right)",
                              xLabel: "confidence the model gave", yLabel: "verified",
                              labels: bins.map { "\(Int(($0.lower * 100).rounded()))-\(Int(($0.upper * 100).rounded()))%" },
                              values: bins.map { Double($0.count) })
        counts.colors = bins.map { $0.count > 0 && ($0.accuracy ?? 1) < 0.5 ? Palette.vermillion : Palette.series(0) }
        counts.width = 960; counts.height = 300
        return Panels([chart, counts], direction: .vertical)
    }

}
