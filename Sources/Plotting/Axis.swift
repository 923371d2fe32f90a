import Foundation

/// How data values map to positions along an axis.
public enum AxisScale: Sendable, Hashable {
    case linear
    /// Base-10 logarithmic, for learning rates; non-positive values are not drawn.
    case log
}

/// One numeric axis: its domain after rounding out to "nice" ticks, the ticks and their labels.
public struct Axis: Sendable {
    public var scale: AxisScale
    /// Domain ends in data units (powers of ten on a log axis).
    public var lower: Double
    public var upper: Double
    public var ticks: [Double]
    public var labels: [String]
    /// Unlabelled ticks between the labelled ones (2…9 × 10^k on a log axis).
    public var minorTicks: [Double] = []

    /// Position of a value along the axis, 0 at `lower` and 1 at `upper` (outside 0...1 when outside the domain).
    public func fraction(_ v: Double) -> Double {
        switch scale {
        case .linear: return (v - lower) / (upper - lower)
        case .log: return v > 0 ? (log10(v) - log10(lower)) / (log10(upper) - log10(lower)) : -.infinity
        }
    }

    /// An axis covering `values` with about `targetTicks` ticks at 1-2-5 steps (linear) or whole decades (log).
    ///
    /// `pinned` fixes the domain (e.g. 0...1 for accuracy) instead of deriving it from the data.
    /// `wholeNumbers` keeps linear ticks on integers (epochs, counts): the step is at least 1.
    public static func make(covering values: [Double], scale: AxisScale, targetTicks: Int, pinned: ClosedRange<Double>? = nil,
                     includeZero: Bool = false, wholeNumbers: Bool = false) -> Axis {
        var finite = values.filter { $0.isFinite && (scale == .linear || $0 > 0) }
        if let pinned { finite = [pinned.lowerBound, pinned.upperBound] }
        if includeZero && scale == .linear { finite.append(0) }
        switch scale {
        case .linear: return linear(min: finite.min() ?? 0, max: finite.max() ?? 1, targetTicks: targetTicks, exact: pinned != nil,
                                    wholeNumbers: wholeNumbers)
        case .log: return logarithmic(min: finite.min() ?? 1e-4, max: finite.max() ?? 1, targetTicks: targetTicks)
        }
    }

    /// The 1, 2 or 5 × 10^k step closest above `range / count`.
    public static func niceStep(range: Double, count: Int) -> Double {
        let raw = range / Double(max(1, count))
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let f = raw / magnitude
        let nice: Double = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10
        return nice * magnitude
    }

    private static func linear(min lo: Double, max hi: Double, targetTicks: Int, exact: Bool, wholeNumbers: Bool = false) -> Axis {
        var lo = lo, hi = hi
        if hi - lo < 1e-12 * Swift.max(1, abs(hi)) {
            // A flat series still needs a visible band around it.
            let d = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= d
            hi += d
        }
        let step = wholeNumbers ? Swift.max(1, niceStep(range: hi - lo, count: Swift.max(1, targetTicks - 1)))
                                : niceStep(range: hi - lo, count: Swift.max(1, targetTicks - 1))
        let first = (lo / step).rounded(.down), last = (hi / step).rounded(.up)
        let lower = exact ? lo : first * step, upper = exact ? hi : last * step
        var ticks: [Double] = []
        var k = exact ? (lo / step - 1e-9).rounded(.up) : first
        while k * step <= upper + step * 1e-9 {
            ticks.append(k * step + 0.0)
            k += 1
        }
        let decimals = Swift.max(0, Int(-(log10(step) + 1e-9).rounded(.down)))
        return Axis(scale: .linear, lower: lower, upper: upper, ticks: ticks,
                    labels: ticks.map { formatLinear($0, decimals: decimals) })
    }

    private static func logarithmic(min lo: Double, max hi: Double, targetTicks: Int) -> Axis {
        let first = Int(log10(lo).rounded(.down))
        var last = Int(log10(hi).rounded(.up))
        if last <= first { last = first + 1 }
        let decades = last - first
        let every = Swift.max(1, Int((Double(decades) / Double(Swift.max(1, targetTicks - 1))).rounded(.up)))
        var ticks: [Double] = [], labels: [String] = [], minor: [Double] = []
        for e in first...last {
            if (e - first) % every == 0 {
                ticks.append(pow(10, Double(e)))
                labels.append(formatPower(e))
            }
            if e < last && every == 1 && decades <= 6 {
                for m in 2...9 { minor.append(Double(m) * pow(10, Double(e))) }
            }
        }
        return Axis(scale: .log, lower: pow(10, Double(first)), upper: pow(10, Double(last)), ticks: ticks,
                    labels: labels, minorTicks: minor)
    }

    /// A tick value with a fixed number of decimals, never "-0".
    public static func formatLinear(_ v: Double, decimals: Int) -> String {
        if abs(v) >= 1e6 || (decimals > 5 && v != 0) { return String(format: "%.1e", v) }
        let s = String(format: "%.\(decimals)f", v)
        return Double(s) == 0 ? String(format: "%.\(decimals)f", 0.0) : s
    }

    /// 10^e as learning rates are usually written: 1e-4, 1e-1, 1, 10, 1000, 1e4 (plain digits only for 1…1000).
    public static func formatPower(_ e: Int) -> String {
        (0...3).contains(e) ? String(Int(pow(10, Double(e)))) : "1e\(e)"
    }
}
