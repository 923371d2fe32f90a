import Foundation

/// Splits CSV text into rows of fields (RFC 4180 quoting; CRLF or LF), with 1-based line numbers.
func parseCSV(_ text: String) -> [(line: Int, fields: [String])] {
    var rows = [(line: Int, fields: [String])]()
    var field = "", fields = [String]()
    var inQuotes = false, line = 1, rowLine = 1
    var chars = Array(text.unicodeScalars)
    if chars.first == "\u{FEFF}" { chars.removeFirst() }
    var i = 0
    func endRow() {
        fields.append(field)
        if !(fields.count == 1 && fields[0].trimmingCharacters(in: .whitespaces).isEmpty) { rows.append((rowLine, fields)) }
        fields = []; field = ""
    }
    while i < chars.count {
        let c = chars[i]
        if inQuotes {
            if c == "\"" {
                if i + 1 < chars.count, chars[i + 1] == "\"" { field.unicodeScalars.append("\""); i += 1 } else { inQuotes = false }
            } else {
                if c == "\n" { line += 1 }
                field.unicodeScalars.append(c)
            }
        } else if c == "\"" {
            inQuotes = true
        } else if c == "," {
            fields.append(field); field = ""
        } else if c == "\n" || c == "\r" {
            if c == "\r", i + 1 < chars.count, chars[i + 1] == "\n" { i += 1 }
            endRow()
            line += 1
            rowLine = line
        } else {
            field.unicodeScalars.append(c)
        }
        i += 1
    }
    if !field.isEmpty || !fields.isEmpty { endRow() }
    return rows
}

extension Dataset {
    static func scanCSV(_ file: String, imageFolder: String?, options: FileLoadOptions) throws -> Dataset {
        guard let data = FileManager.default.contents(atPath: file) else { throw DatasetError.notFound(path: file) }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DatasetError.csv(path: file, line: 1, reason: "the file is not UTF-8 text")
        }
        let base = imageFolder ?? (file as NSString).deletingLastPathComponent
        var rows = parseCSV(text).map { (line: $0.line, fields: $0.fields.map { $0.trimmingCharacters(in: .whitespaces) }) }
        if let first = rows.first, first.fields.count >= 2,
           ["path", "file", "filename", "file_name", "image", "image_path", "filepath"].contains(first.fields[0].lowercased()) {
            rows.removeFirst()
        }
        var unreadable = [UnreadableFile]()
        var entries = [(path: String, label: String)]()
        for row in rows {
            guard row.fields.count >= 2, !row.fields[0].isEmpty, !row.fields[1].isEmpty else {
                unreadable.append(UnreadableFile(path: "\(file):\(row.line)", reason: "expected a row of path,label"))
                continue
            }
            let p = row.fields[0].hasPrefix("/") ? row.fields[0] : base + "/" + row.fields[0]
            entries.append((p, row.fields[1]))
        }
        guard !entries.isEmpty else { throw DatasetError.csv(path: file, line: 1, reason: "no rows of path,label") }
        let names = Array(Set(entries.map(\.label)))
        let numeric = names.allSatisfy { Int($0) != nil }
        let classes = numeric ? names.sorted { Int($0)! < Int($1)! } : names.sorted()
        let labelOf = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let samples = entries.map { Sample(source: .file($0.path), label: labelOf[$0.label]) }
        return Dataset(path: file, format: .csv, classes: classes, samples: samples, unreadable: unreadable, store: options.makeStore())
    }
}
