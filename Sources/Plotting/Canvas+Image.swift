import Imaging

/// Drawing images onto the canvas.
extension Canvas {
    /// Draws an image scaled to fill `rect`: whole-pixel nearest-neighbour when enlarging (small 28×28
    /// digits stay sharp), averaging the covered source pixels when shrinking (no aliasing).
    ///
    /// Grey images are drawn as grey; RGBA images are blended over the canvas by their alpha.
    public mutating func draw(_ image: Image, in rect: PixelRect) {
        guard image.width > 0, image.height > 0, rect.width > 0, rect.height > 0 else { return }
        let r = rect.intersection(drawable)
        if r.isEmpty { return }
        let ch = image.channels
        let canvasWidth = width
        pixels.withUnsafeMutableBufferPointer { px in
            for y in r.y..<r.maxY {
                let ty = y - rect.y
                let sy0 = ty * image.height / rect.height
                let sy1 = max(sy0 + 1, ((ty + 1) * image.height + rect.height - 1) / rect.height)
                for x in r.x..<r.maxX {
                    let tx = x - rect.x
                    let sx0 = tx * image.width / rect.width
                    let sx1 = max(sx0 + 1, ((tx + 1) * image.width + rect.width - 1) / rect.width)
                    var sum = (0, 0, 0, 0)
                    for sy in sy0..<sy1 {
                        var i = (sy * image.width + sx0) * ch
                        for _ in sx0..<sx1 {
                            let g = Int(image.pixels[i])
                            switch ch {
                            case 1, 2: sum = (sum.0 + g, sum.1 + g, sum.2 + g, sum.3 + (ch == 2 ? Int(image.pixels[i + 1]) : 255))
                            default:
                                sum = (sum.0 + g, sum.1 + Int(image.pixels[i + 1]), sum.2 + Int(image.pixels[i + 2]),
                                       sum.3 + (ch == 4 ? Int(image.pixels[i + 3]) : 255))
                            }
                            i += ch
                        }
                    }
                    let n = (sy1 - sy0) * (sx1 - sx0)
                    let c = Color(r: UInt8((sum.0 + n / 2) / n), g: UInt8((sum.1 + n / 2) / n), b: UInt8((sum.2 + n / 2) / n),
                                  a: UInt8((sum.3 + n / 2) / n))
                    Canvas.blend(px, (y * canvasWidth + x) * 3, c, Int(c.a) * 255)
                }
            }
        }
    }

    /// The largest rectangle with the image's aspect ratio that fits in `box`, centred in it.
    ///
    /// Images smaller than the box are enlarged by a whole factor so every source pixel becomes an equal square.
    public static func fit(_ image: Image, in box: PixelRect) -> PixelRect {
        guard image.width > 0, image.height > 0 else { return PixelRect(x: box.x, y: box.y, width: 0, height: 0) }
        let w: Int, h: Int
        if image.width <= box.width && image.height <= box.height {
            let k = max(1, min(box.width / image.width, box.height / image.height))
            w = image.width * k
            h = image.height * k
        } else if image.width * box.height >= image.height * box.width {
            w = box.width
            h = max(1, image.height * box.width / image.width)
        } else {
            h = box.height
            w = max(1, image.width * box.height / image.height)
        }
        return PixelRect(x: box.x + (box.width - w) / 2, y: box.y + (box.height - h) / 2, width: w, height: h)
    }
}

