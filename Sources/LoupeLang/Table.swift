import Foundation

/// Rows and named columns: prediction tables, `vars`, learning-rate tables, run histories.
public struct Table {
    public var columns: [String]
    public var rows: [[Value]]

    public init(columns: [String], rows: [[Value]] = []) {
        self.columns = columns
        self.rows = rows
    }

    /// The values of one column, or `nil` when there is no such column.
    public func column(_ name: String) -> [Value]? {
        guard let index = columns.firstIndex(of: name) else { return nil }
        return rows.map { index < $0.count ? $0[index] : .none }
    }

    /// An aligned text table: numbers right-aligned with four significant digits, the rest left-aligned.
    public func formatted() -> String {
        let cells = rows.map { row in columns.indices.map { i in i < row.count ? Table.cellText(row[i]) : "" } }
        var widths = columns.map(\.count)
        for row in cells {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        func isNumeric(_ column: Int) -> Bool {
            rows.allSatisfy { row in
                guard column < row.count else { return true }
                if case .number = row[column] { return true }
                return row[column].isNone
            }
        }
        let numeric = columns.indices.map(isNumeric)
        func line(_ texts: [String]) -> String {
            texts.enumerated().map { i, text in
                let pad = String(repeating: " ", count: widths[i] - text.count)
                return numeric[i] ? pad + text : text + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var lines = [line(columns), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        lines += cells.map(line)
        if rows.isEmpty { lines.append("(no rows)") }
        return lines.joined(separator: "\n")
    }

    /// A cell as text: numbers with four significant digits, or as many more as it takes for a
    /// number that is not whole not to read as one (0.99996 is `0.99996`, not `1`).
    public static func cellText(_ value: Value) -> String {
        switch value {
        case .number(let n) where n != n.rounded() || abs(n) >= 1e15:
            guard n.isFinite else { return Value.format(n) }
            for digits in [4, 6, 9] {
                let text = String(format: "%.\(digits)g", n)
                if let back = Double(text), back != back.rounded() || abs(n) >= 1e15 { return text }
            }
            return String(format: "%.9g", n)
        case .string(let s): return s
        default: return value.summary
        }
    }

    /// The table as CSV (RFC 4180 quoting, numbers at full precision).
    public func csv() -> String {
        func field(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        var lines = [columns.map(field).joined(separator: ",")]
        for row in rows {
            lines.append(row.map { value -> String in
                if case .string(let s) = value { return field(s) }
                // Numbers at full precision (the shortest text that reads back the same value);
                // the printed table rounds, the file does not.
                if case .number(let n) = value, n.isFinite, n != n.rounded() || abs(n) >= 1e15 { return "\(n)" }
                return field(value.literal)
            }.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
