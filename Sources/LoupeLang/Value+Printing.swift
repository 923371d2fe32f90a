import Foundation

/// How values read: `print`, the REPL, string interpolation and `vars` all use these.
extension Value {
    /// The text `print` writes: strings as they are, everything else as `literal`, objects
    /// as their summary, tables as aligned text.
    public var display: String {
        switch self {
        case .string(let s): return s
        case .table(let table): return table.formatted()
        default: return literal
        }
    }

    /// The text of a value inside a list or tuple: strings quoted.
    public var literal: String {
        switch self {
        case .number(let n): return Value.format(n)
        case .string(let s): return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: "\\t") + "\""
        case .bool(let b): return b ? "true" : "false"
        case .none: return "none"
        case .size(let w, let h): return "\(w)x\(h)"
        case .list(let items): return "[" + items.map(\.literal).joined(separator: ", ") + "]"
        case .tuple(let items): return "(" + items.map(\.literal).joined(separator: ", ") + (items.count == 1 ? ",)" : ")")
        case .table(let table): return "table (\(table.rows.count) rows: \(table.columns.joined(separator: ", ")))"
        case .object(let object): return object.summary
        }
    }

    /// A one-line summary for `vars` (tables are not expanded).
    public var summary: String {
        if case .table = self { return literal }
        let text = literal
        return text.count > 100 ? String(text.prefix(97)) + "…" : text
    }

    /// Whole numbers without a decimal point (`3`, not `3.0`); others in the shortest form
    /// that reads back to the same number (`0.003`, `1e-05`).
    public static func format(_ n: Double) -> String {
        if n.isNaN { return "nan" }
        if n.isInfinite { return n < 0 ? "-inf" : "inf" }
        if n == n.rounded(), abs(n) < 1e15 { return String(Int64(n)) }
        // At most six significant digits (0.628571, not 0.6285714285714286); a value that is
        // already that short keeps Swift's exact form (0.003, 1e-07).
        let short = String(format: "%.6g", n)
        return Double(short) == n ? "\(n)" : short
    }
}
