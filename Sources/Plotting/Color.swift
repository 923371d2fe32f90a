import Foundation

/// An sRGB colour with straight (not premultiplied) alpha, 8 bits per channel.
public struct Color: Sendable, Hashable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8
    public var a: UInt8

    public init(r: UInt8, g: UInt8, b: UInt8, a: UInt8 = 255) {
        self.r = r
        self.g = g
        self.b = b
        self.a = a
    }

    /// A colour from a 24-bit `0xRRGGBB` literal.
    public init(hex: UInt32, alpha: UInt8 = 255) {
        self.init(r: UInt8((hex >> 16) & 0xFF), g: UInt8((hex >> 8) & 0xFF), b: UInt8(hex & 0xFF), a: alpha)
    }

    /// The same colour with its alpha multiplied by `opacity` (0...1).
    public func opacity(_ opacity: Double) -> Color {
        let o = min(max(opacity, 0), 1)
        return Color(r: r, g: g, b: b, a: UInt8((Double(a) * o).rounded()))
    }

    /// Relative luminance (0 black ... 1 white), used to pick readable text on a filled cell.
    public var luminance: Double {
        func linear(_ c: UInt8) -> Double {
            let v = Double(c) / 255
            return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
    }

    /// Linear interpolation between two colours in sRGB space (`t` in 0...1).
    public static func mix(_ a: Color, _ b: Color, _ t: Double) -> Color {
        let t = min(max(t, 0), 1)
        func lerp(_ x: UInt8, _ y: UInt8) -> UInt8 { UInt8((Double(x) + (Double(y) - Double(x)) * t).rounded()) }
        return Color(r: lerp(a.r, b.r), g: lerp(a.g, b.g), b: lerp(a.b, b.b), a: lerp(a.a, b.a))
    }

    public static let white = Color(hex: 0xFFFFFF)
    public static let black = Color(hex: 0x000000)
    /// Text and axis lines: near-black reads softer than pure black beside coloured data.
    public static let ink = Color(hex: 0x222222)
    /// Secondary text (tick labels, captions).
    public static let mutedInk = Color(hex: 0x555555)
    /// Grid lines: light enough to recede behind data.
    public static let gridLine = Color(hex: 0xE3E3E3)
}
