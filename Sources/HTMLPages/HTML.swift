/// The pieces of Loupe's self-contained HTML pages: escaping, the page with its one stylesheet,
/// figures embedded as base64 PNG, tables and preformatted text.
///
/// Each piece returns a fragment of HTML; the writers of whole pages (Workflow's reports,
/// LoupeLang's notebook page) put them together in document order, and the Jupyter kernel's
/// display outputs escape their text here too.
public enum HTML {
    /// Text made safe inside HTML elements and attribute values: `&`, `<`, `>`, `"` and `'`
    /// escaped, so text shows as written.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
