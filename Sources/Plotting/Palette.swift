/// Colour-blind-safe colours: the Okabe–Ito palette for categories and a blue ramp for magnitudes.
///
/// Okabe & Ito (2008) chose these eight colours to stay distinct under the common forms of
/// colour blindness. The order puts the strongest contrasts on white first; yellow comes last
/// because it is faint on a white background.
public enum Palette {
    public static let blue = Color(hex: 0x0072B2)
    public static let vermillion = Color(hex: 0xD55E00)
    public static let bluishGreen = Color(hex: 0x009E73)
    public static let orange = Color(hex: 0xE69F00)
    public static let reddishPurple = Color(hex: 0xCC79A7)
    public static let skyBlue = Color(hex: 0x56B4E9)
    public static let black = Color(hex: 0x000000)
    public static let yellow = Color(hex: 0xF0E442)

    /// Category colours in the order series receive them.
    public static let categorical: [Color] = [blue, vermillion, bluishGreen, orange, reddishPurple, skyBlue, black, yellow]

    /// The colour of the `index`-th series; wraps around after eight.
    public static func series(_ index: Int) -> Color {
        categorical[((index % categorical.count) + categorical.count) % categorical.count]
    }

    /// Colour for things that went wrong (a misclassified sample's caption, a warning line).
    public static let wrong = vermillion
    /// Colour for things that went right.
    public static let right = bluishGreen

    /// A sequential light-to-dark blue ramp (ColorBrewer "Blues" end points), `t` in 0...1.
    ///
    /// A single-hue ramp reads in order for every kind of colour vision, unlike rainbow maps.
    public static func sequential(_ t: Double) -> Color {
        let stops: [Color] = [Color(hex: 0xF7FBFF), Color(hex: 0xC6DBEF), Color(hex: 0x6BAED6),
                              Color(hex: 0x2171B5), Color(hex: 0x08306B)]
        let x = min(max(t.isFinite ? t : 0, 0), 1) * Double(stops.count - 1)
        let i = min(Int(x), stops.count - 2)
        return Color.mix(stops[i], stops[i + 1], x - Double(i))
    }
}
