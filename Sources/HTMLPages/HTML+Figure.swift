import Foundation

/// Figures embedded in the page as base64 PNG data URIs, so the page needs no other file.
extension HTML {
    /// A `<figure>` holding `png` as a data URI. `alt` is plain text; `caption` is HTML (escape
    /// its text); `width` sets the shown width, so a figure rendered at scale 2 shows at its
    /// nominal size, sharp on high-density screens.
    public static func figure(png: some Sequence<UInt8>, alt: String, caption: String, width: Int? = nil) -> String {
        "<figure>\n<img src=\"data:image/png;base64,\(Data(png).base64EncodedString())\""
            + (width.map { " width=\"\($0)\"" } ?? "") + " alt=\"\(escape(alt))\">\n"
            + "<figcaption>\(caption)</figcaption>\n</figure>\n"
    }

    /// The PNG file at `path` as a figure captioned with its path; a file that cannot be read
    /// shows as a visible `figure missing: PATH` line instead (the page is still written).
    public static func figure(file path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            return "<p class=\"err\">figure missing: \(escape(path))</p>\n"
        }
        return figure(png: data, alt: path, caption: escape(path))
    }
}
