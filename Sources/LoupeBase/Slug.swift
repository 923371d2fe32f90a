/// A lowercase, dash-separated form of a text for file names and HTML anchors
/// ("Test split of quadrants" → "test-split-of-quadrants").
///
/// ASCII letters and digits are kept (lowercased); every run of anything else becomes one dash,
/// none at either end; the result is cut to `maxLength` characters. Reports name their anchors
/// and Markdown figures with it (40), the commands their default figure and report files (60).
public func slug(_ text: String, maxLength: Int = 40) -> String {
    var out = ""
    for c in text.lowercased() {
        if c.isASCII && (c.isLetter || c.isNumber) {
            out.append(c)
        } else if !out.isEmpty && out.last != "-" {
            out.append("-")
        }
    }
    while out.hasSuffix("-") { out.removeLast() }
    return String(out.prefix(maxLength))
}
