/// Where a chart's text comes from.
public enum FontSource: Sendable, Hashable {
    /// DejaVu Sans through FreeType when found in the usual system folders, otherwise the built-in bitmap font.
    case automatic
    /// Always the built-in bitmap font (tests use it to check the fallback path).
    case builtin
    /// Specific TrueType files; falls back to the built-in font when `regular` cannot be opened.
    case files(regular: String, bold: String?)

    /// Folders where distributions install DejaVu Sans (Debian/Ubuntu, Fedora, Arch, Homebrew, macOS user fonts).
    static let dejaVuFolders = [
        "/usr/share/fonts/truetype/dejavu",
        "/usr/share/fonts/dejavu-sans-fonts",
        "/usr/share/fonts/dejavu",
        "/usr/share/fonts/TTF",
        "/usr/local/share/fonts",
        "/opt/homebrew/share/fonts",
        "/Library/Fonts",
    ]
}

/// Text weight: regular for labels, bold for titles.
public enum FontWeight: Sendable, Hashable {
    case regular
    case bold
}
