import Foundation

/// How LoupeCommands writes numbers, percentages, sizes, times and counts in messages and
/// tables: one place for every formatter, so the same quantity reads the same everywhere.

/// A value rounded to four decimals (for display: tables keep full precision).
func round4(_ v: Double) -> Double { (v * 10_000).rounded() / 10_000 }

/// A loss or metric in a message: four decimals, and NaN/inf spelled out.
func fmt(_ v: Double) -> String { v.isFinite ? String(round4(v)) : v.isNaN ? "NaN" : v > 0 ? "inf" : "-inf" }
/// A fraction as a percentage with one decimal (`42.9%`); never traps on a value that is not finite.
func percent(_ v: Double) -> String { v.isFinite ? "\(Double(Int(saturating: (v * 1000).rounded())) / 10)%" : fmt(v) }

/// Three decimals, for F1 scores (0.912).
func fmt3(_ v: Double) -> String { v.isFinite ? String(format: "%.3f", v) : "\(v)" }

/// Short numbers for messages: 0.003, 1e-05, 12.5.
func short(_ v: Double) -> String {
    if v == 0 { return "0" }
    if abs(v) < 1e-3 || abs(v) >= 1e5 { return String(format: "%.3g", v) }
    return String(format: "%.4g", v)
}

/// A hyperparameter in its shortest exact-looking form (0.003, 5e-04 → 0.0005).
func num(_ v: Double) -> String {
    if v == v.rounded() && abs(v) < 1e9 { return String(Int(v)) }
    return String(format: "%.4g", v)
}

/// A rate with two significant digits (0.0012, 1.2e-06), as a suggestion should read.
func rate2(_ v: Double) -> String { String(format: "%.2g", v) }

/// A parameter count as a summary reads it: 11.2M, 270K, 4816.
func formatCount(_ n: Int) -> String {
    if n >= 1_000_000 { return "\(Double(Int(Double(n) / 100_000 + 0.5)) / 10)M" }
    if n >= 10_000 { return "\(Int(Double(n) / 1000 + 0.5))K" }
    return "\(n)"
}

/// Operations per image as a summary reads them: 1.82G, 41.1M.
func formatFlops(_ n: Int) -> String {
    let v = Double(n)
    if v >= 1e9 { return String(format: "%.3gG", v / 1e9) }
    if v >= 1e6 { return String(format: "%.3gM", v / 1e6) }
    if v >= 1e3 { return String(format: "%.3gK", v / 1e3) }
    return "\(n)"
}

/// 2 GiB, 512 MiB, 64 KiB.
func byteText(_ bytes: Int64) -> String {
    for (unit, scale) in [("GiB", Int64(1) << 30), ("MiB", Int64(1) << 20), ("KiB", Int64(1) << 10)] where bytes >= scale {
        return short(Double(bytes) / Double(scale)) + " " + unit
    }
    return "\(bytes) bytes"
}

/// An epoch's wall time as the epoch line shows it: "0.8 s", "12 s", "2 min 5 s".
func epochTime(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "? s" }
    if seconds < 10 { return String(format: "%.1f s", seconds) }
    let s = Int(seconds.rounded())
    return s < 60 ? "\(s) s" : "\(s / 60) min \(s % 60) s"
}

/// "1 image", "3 images": a count and its noun (the plural adds "s"; every message uses this one rule).
func counted(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(plural(n))" }

/// "s" unless `n` is 1, for nouns that do not follow the count directly ("5 more epochs").
func plural(_ n: Int) -> String { n == 1 ? "" : "s" }
