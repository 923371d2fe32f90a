import TensorCore
import LoupeBase

extension FloatImage {
    /// Multiplies every value by `factor` (torchvision's brightness), clamped to 0…1.
    public mutating func adjustBrightness(_ factor: Float) {
        for i in values.indices { values[i] = min(1, max(0, values[i] * factor)) }
    }

    /// Blends with the image's mean grey (torchvision's contrast), clamped to 0…1.
    public mutating func adjustContrast(_ factor: Float) {
        let g = channels >= 3 ? grey().values : values
        let mean = g.reduce(0, +) / Float(max(1, g.count))
        let offset = (1 - factor) * mean
        for i in values.indices { values[i] = min(1, max(0, values[i] * factor + offset)) }
    }

    /// Blends each pixel with its grey (torchvision's saturation); grey images are unchanged.
    public mutating func adjustSaturation(_ factor: Float) {
        guard channels >= 3 else { return }
        for p in 0..<(width * height) {
            let o = p * channels
            let g = 0.299 * values[o] + 0.587 * values[o + 1] + 0.114 * values[o + 2]
            for c in 0..<3 { values[o + c] = min(1, max(0, g + factor * (values[o + c] - g))) }
        }
    }

    /// Turns the hue by `shift` of the colour circle: a rotation about the grey axis in YIQ space.
    ///
    /// One 3×3 matrix per image instead of a round trip through HSV per pixel; it keeps luma,
    /// which HSV's hue shift does not quite do.
    public mutating func shiftHue(_ shift: Float) {
        guard channels >= 3, shift != 0 else { return }
        let a = Double(shift) * 2 * .pi
        let c = cos(a), s = sin(a)
        // RGB→YIQ, rotate I/Q, YIQ→RGB, multiplied out.
        let toYIQ: [[Double]] = [[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]]
        let toRGB: [[Double]] = [[1, 0.956, 0.621], [1, -0.272, -0.647], [1, -1.106, 1.703]]
        let rot: [[Double]] = [[1, 0, 0], [0, c, -s], [0, s, c]]
        func mul(_ x: [[Double]], _ y: [[Double]]) -> [[Double]] {
            (0..<3).map { i in (0..<3).map { j in (0..<3).reduce(0) { $0 + x[i][$1] * y[$1][j] } } }
        }
        let m = mul(toRGB, mul(rot, toYIQ)).map { $0.map(Float.init) }
        for p in 0..<(width * height) {
            let o = p * channels
            let r = values[o], g = values[o + 1], b = values[o + 2]
            for k in 0..<3 { values[o + k] = min(1, max(0, m[k][0] * r + m[k][1] * g + m[k][2] * b)) }
        }
    }

    /// Adds Gaussian noise of standard deviation `sigma`, clamped to 0…1.
    public mutating func addNoise(sigma: Float, using rng: inout SeededGenerator) {
        for i in values.indices { values[i] = min(1, max(0, values[i] + sigma * rng.nextNormal())) }
    }

    /// Separable Gaussian blur (kernel radius 3σ, reflected borders).
    public mutating func blur(sigma: Float) {
        guard sigma >= 0.2, width > 0, height > 0 else { return }
        let r = max(1, Int((3 * sigma).rounded(.up)))
        var k = (-r...r).map { exp(-Float($0 * $0) / (2 * sigma * sigma)) }
        let sum = k.reduce(0, +)
        for i in k.indices { k[i] /= sum }
        func reflect(_ i: Int, _ n: Int) -> Int {
            if n == 1 { return 0 }
            var i = i
            while i < 0 || i >= n { i = i < 0 ? -i - 1 : 2 * n - 1 - i }
            return i
        }
        var tmp = values
        let c = channels
        for y in 0..<height {
            for x in 0..<width {
                for ch in 0..<c {
                    var acc: Float = 0
                    for t in -r...r { acc += k[t + r] * values[(y * width + reflect(x + t, width)) * c + ch] }
                    tmp[(y * width + x) * c + ch] = acc
                }
            }
        }
        for y in 0..<height {
            for x in 0..<width {
                for ch in 0..<c {
                    var acc: Float = 0
                    for t in -r...r { acc += k[t + r] * tmp[(reflect(y + t, height) * width + x) * c + ch] }
                    values[(y * width + x) * c + ch] = acc
                }
            }
        }
    }

    /// Zeroes the rectangle given as shares of the width and height.
    public mutating func erase(x: Double, y: Double, width w: Double, height h: Double) {
        let x0 = Int((x * Double(width)).rounded()), y0 = Int((y * Double(height)).rounded())
        let x1 = min(width, x0 + max(1, Int((w * Double(width)).rounded())))
        let y1 = min(height, y0 + max(1, Int((h * Double(height)).rounded())))
        guard x0 < x1, y0 < y1 else { return }
        for yy in y0..<y1 {
            let row = (yy * width) * channels
            for i in (row + x0 * channels)..<(row + x1 * channels) { values[i] = 0 }
        }
    }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
