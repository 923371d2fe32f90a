import Imaging

/// An affine map from output pixel coordinates to source pixel coordinates: s = m · (u, v) + t.
///
/// Coordinates are pixel centres (PyTorch's `align_corners=False`): output pixel (u, v)
/// samples the source at (m00·u + m01·v + t0, m10·u + m11·v + t1).
public struct AffineMap: Sendable, Equatable {
    public var m00, m01, m10, m11, t0, t1: Double

    public init(m00: Double, m01: Double, m10: Double, m11: Double, t0: Double, t1: Double) {
        self.m00 = m00; self.m01 = m01; self.m10 = m10; self.m11 = m11; self.t0 = t0; self.t1 = t1
    }

    /// Plain resize (stretch) from a source size to an output size.
    public static func resize(from sw: Int, _ sh: Int, to ow: Int, _ oh: Int) -> AffineMap {
        resize(from: Double(sw), Double(sh), to: Double(ow), Double(oh))
    }

    /// Plain resize from a source extent (a window of the image, in pixels) to an output size.
    public static func resize(from sw: Double, _ sh: Double, to ow: Double, _ oh: Double) -> AffineMap {
        let sx = sw / ow, sy = sh / oh
        return AffineMap(m00: sx, m01: 0, m10: 0, m11: sy, t0: 0.5 * sx - 0.5, t1: 0.5 * sy - 0.5)
    }

    /// The map of an augmentation draw composed with the resize, so geometry costs one resampling.
    ///
    /// Steps, from an output point to the source: crop window → zoom → shift → flips →
    /// shear and rotation (in source pixel units, so they do not distort) → quarter turns.
    public static func augmentation(_ d: AugmentationDraw, from sw: Int, _ sh: Int, to ow: Int, _ oh: Int) -> AffineMap {
        augmentation(d, from: Double(sw), Double(sh), to: ow, oh)
    }

    /// The same for a source extent in pixels (a window of the image: add its origin to `t0`, `t1`).
    public static func augmentation(_ d: AugmentationDraw, from sw: Double, _ sh: Double, to ow: Int, _ oh: Int) -> AffineMap {
        // The frame after quarter turns: odd turns swap width and height, so the turned image fills the output.
        let odd = d.turns % 2 == 1
        let tw = odd ? sh : sw, th = odd ? sw : sh
        let cosA = cos(d.angle), sinA = sin(d.angle), tanS = tan(d.shear)
        func chain(_ nx: Double, _ ny: Double) -> (Double, Double) {
            // nx, ny: output position as a share of the output, centred (−0.5…0.5).
            var qx = d.cropX + d.cropWidth * nx, qy = d.cropY + d.cropHeight * ny
            qx /= d.scale; qy /= d.scale
            qx -= d.shiftX; qy -= d.shiftY
            if d.flipH { qx = -qx }
            if d.flipV { qy = -qy }
            var px = qx * tw, py = qy * th
            px += tanS * py
            (px, py) = (cosA * px - sinA * py, sinA * px + cosA * py)
            for _ in 0..<(d.turns % 4) { (px, py) = (-py, px) }
            return (px + sw / 2 - 0.5, py + sh / 2 - 0.5)
        }
        // Affine in (nx, ny), and nx = (u + 0.5) / ow − 0.5: read the map off three points.
        let o = chain(0, 0), ex = chain(1, 0), ey = chain(0, 1)
        let ax = (ex.0 - o.0, ex.1 - o.1), ay = (ey.0 - o.0, ey.1 - o.1)
        let fx = 1 / Double(ow), fy = 1 / Double(oh)
        let bx = 0.5 / Double(ow) - 0.5, by = 0.5 / Double(oh) - 0.5
        return AffineMap(m00: ax.0 * fx, m01: ay.0 * fy, m10: ax.1 * fx, m11: ay.1 * fy,
                         t0: o.0 + ax.0 * bx + ay.0 * by, t1: o.1 + ax.1 * bx + ay.1 * by)
    }

    /// Source pixels per output pixel along each output axis.
    var footprint: (x: Double, y: Double) {
        ((m00 * m00 + m10 * m10).squareRoot(), (m01 * m01 + m11 * m11).squareRoot())
    }
}

/// Samples `image` through `map` into a `width` × `height` float image (bilinear, reflected borders).
///
/// RGBA loses its alpha. When the map shrinks by more than 2× on both axes the source is first
/// averaged over k×k blocks, since bilinear taps alone would skip pixels and alias.
public func resample(_ image: Image, map: AffineMap, width: Int, height: Int) -> FloatImage {
    var source = image
    var m = map
    let f = Int(min(map.footprint.x, map.footprint.y) / 2)
    if f >= 2 {
        source = boxReduce(image, factor: f)
        // Reduced pixel i covers source pixels f·i … f·i + f − 1, centre f·i + (f − 1) / 2.
        let k = 1 / Double(f), c = (Double(f) - 1) / 2
        m = AffineMap(m00: map.m00 * k, m01: map.m01 * k, m10: map.m10 * k, m11: map.m11 * k,
                      t0: (map.t0 - c) * k, t1: (map.t1 - c) * k)
    }
    // Grey+alpha gives grey, RGBA gives RGB: alpha is dropped.
    let sc = source.channels, oc = sc >= 3 ? 3 : 1
    let sw = source.width, sh = source.height
    var out = FloatImage(width: width, height: height, channels: oc)
    guard sw > 0, sh > 0 else { return out }
    @inline(__always) func reflect(_ i: Int, _ n: Int) -> Int {
        if i >= 0 && i < n { return i }
        let period = 2 * n
        var r = i % period
        if r < 0 { r += period }
        return r < n ? r : period - 1 - r
    }
    let scale: Float = 1 / 255
    source.pixels.withUnsafeBufferPointer { src in
        out.values.withUnsafeMutableBufferPointer { dst in
            var o = 0
            for v in 0..<height {
                var x = m.m01 * Double(v) + m.t0
                var y = m.m11 * Double(v) + m.t1
                for _ in 0..<width {
                    let xf = x.rounded(.down), yf = y.rounded(.down)
                    let wx = Float(x - xf), wy = Float(y - yf)
                    let x0 = reflect(Int(xf), sw), x1 = reflect(Int(xf) + 1, sw)
                    let y0 = reflect(Int(yf), sh), y1 = reflect(Int(yf) + 1, sh)
                    let p00 = (y0 * sw + x0) * sc, p01 = (y0 * sw + x1) * sc
                    let p10 = (y1 * sw + x0) * sc, p11 = (y1 * sw + x1) * sc
                    for c in 0..<oc {
                        let top = Float(src[p00 + c]) + wx * (Float(src[p01 + c]) - Float(src[p00 + c]))
                        let bottom = Float(src[p10 + c]) + wx * (Float(src[p11 + c]) - Float(src[p10 + c]))
                        dst[o + c] = (top + wy * (bottom - top)) * scale
                    }
                    o += oc
                    x += m.m00; y += m.m10
                }
            }
        }
    }
    return out
}

/// Averages `factor` × `factor` blocks (partial blocks at the right and bottom edges are dropped).
func boxReduce(_ image: Image, factor f: Int) -> Image {
    let w = image.width / f, h = image.height / f, c = image.channels
    var out = Image(width: w, height: h, channels: c)
    var sums = [Int](repeating: 0, count: w * c)
    let area = f * f
    image.pixels.withUnsafeBufferPointer { src in
        out.pixels.withUnsafeMutableBufferPointer { dst in
            for y in 0..<h {
                for i in sums.indices { sums[i] = 0 }
                for dy in 0..<f {
                    let row = (y * f + dy) * image.width * c
                    for x in 0..<w {
                        for dx in 0..<f {
                            let p = row + (x * f + dx) * c
                            for ch in 0..<c { sums[x * c + ch] += Int(src[p + ch]) }
                        }
                    }
                }
                for i in 0..<(w * c) { dst[y * w * c + i] = UInt8((sums[i] + area / 2) / area) }
            }
        }
    }
    return out
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
